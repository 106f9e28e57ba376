import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
  await createTask({ name: 'echo', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input }}' } }] });
  await createTask({ name: 'sleepy', steps: [{ id: 'nap', type: 'delay', params: { duration: '1h' } }] });
});
afterAll(async () => {
  await h?.close();
});

async function createTask(definition: object) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: definition });
  expect(res.statusCode).toBe(201);
  return json(res);
}

const start = (task: string, body: unknown, query = '', headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: `/v1/tasks/${task}/executions${query}`, payload: body as object, headers });

describe('starting an execution', () => {
  it('answers 202 with the queued execution and where to find it', async () => {
    const res = await start('echo', { input: { n: 1 } });
    expect(res.statusCode).toBe(202);
    const execution = json(res);
    expect(execution).toMatchObject({ taskId: expect.any(String), taskVersion: 1, trigger: 'api', input: { n: 1 } });
    expect(res.headers.location).toBe(`/v1/executions/${execution.id}`);
  });

  it('with ?wait= answers 200 with the finished execution and its steps', async () => {
    const res = await start('echo', { input: { greeting: 'hi' } }, '?wait=20s');
    expect(res.statusCode).toBe(200);
    const view = json(res);
    expect(view.status).toBe('succeeded');
    expect(view.output).toEqual({ greeting: 'hi' });
    expect(view.finishedAt).toMatch(/Z$/);
    expect(view.steps).toEqual([
      expect.objectContaining({ stepId: 'echo', status: 'succeeded', attempts: 1, output: { greeting: 'hi' } }),
    ]);
  });

  it('with ?wait= answers 202 with the current view when the execution is still going', async () => {
    const res = await start('sleepy', {}, '?wait=300ms');
    expect(res.statusCode).toBe(202);
    const view = json(res);
    expect(['queued', 'running', 'waiting']).toContain(view.status);
    expect(Array.isArray(view.steps)).toBe(true);
    const canceled = await h.app.inject({ method: 'POST', url: `/v1/executions/${view.id}/cancel` });
    expect(canceled.statusCode).toBe(200);
    expect(json(canceled).status).toBe('canceled');
    const again = await h.app.inject({ method: 'POST', url: `/v1/executions/${view.id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(json(again).code).toBe('EXECUTION_FINISHED');
  });

  it('refuses a bad ?wait= and an unknown body field with 400 and their paths', async () => {
    const res = await start('echo', { input: 1 }, '?wait=soon');
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toEqual([expect.objectContaining({ path: '/query/wait' })]);
    const body = await start('echo', { input: 1, inptu: 2 });
    expect(body.statusCode).toBe(400);
    expect(json(body).errors).toEqual([{ path: '/inptu', message: 'is not a known field' }]);
  });

  it('answers 404 for an unknown task', async () => {
    const res = await start('no-such-task', {});
    expect(res.statusCode).toBe(404);
    expect(json(res).code).toBe('TASK_NOT_FOUND');
  });
});

describe('idempotency keys', () => {
  it('starts exactly one execution for 50 concurrent requests with one Idempotency-Key', async () => {
    await createTask({ name: 'once', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input }}' } }] });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => start('once', { input: { a: 1 } }, '', { 'idempotency-key': 'key-50' })),
    );
    for (const r of responses) expect(r.statusCode).toBe(202);
    const ids = new Set(responses.map((r) => json(r).id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    const list = json(await h.app.inject({ method: 'GET', url: '/v1/executions?task=once&limit=100' }));
    expect(list.items.map((e: { id: string }) => e.id)).toEqual([...ids]);
  });

  it('accepts the key in the body too, and refuses it with a different input (409)', async () => {
    const first = await start('echo', { input: { v: 1 }, idempotencyKey: 'body-key' });
    const repeat = await start('echo', { input: { v: 1 } }, '', { 'idempotency-key': 'body-key' });
    expect(json(repeat).id).toBe(json(first).id);
    const reused = await start('echo', { input: { v: 2 }, idempotencyKey: 'body-key' });
    expect(reused.statusCode).toBe(409);
    expect(json(reused)).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('refuses a header and body key that differ', async () => {
    const res = await start('echo', { idempotencyKey: 'a' }, '', { 'idempotency-key': 'b' });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors[0].path).toBe('/headers/idempotency-key');
  });
});

describe('reading executions', () => {
  it('gets one execution with its steps, and filters the list by task and status', async () => {
    const started = json(await start('echo', { input: 'x' }, '?wait=20s'));
    const res = await h.app.inject({ method: 'GET', url: `/v1/executions/${started.id}` });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ id: started.id, status: 'succeeded', steps: [expect.objectContaining({ stepId: 'echo' })] });

    const list = json(await h.app.inject({ method: 'GET', url: '/v1/executions?task=echo&status=succeeded&limit=500' }));
    expect(list.items.map((e: { id: string }) => e.id)).toContain(started.id);
    expect(list.items.every((e: { status: string }) => e.status === 'succeeded')).toBe(true);
  });

  it('refuses an unknown status filter and answers 404 for an unknown id', async () => {
    const bad = await h.app.inject({ method: 'GET', url: '/v1/executions?status=sleeping' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors[0].path).toBe('/query/status');
    const missing = await h.app.inject({ method: 'GET', url: '/v1/executions/nope' });
    expect(missing.statusCode).toBe(404);
    expect(json(missing).code).toBe('EXECUTION_NOT_FOUND');
  });
});
