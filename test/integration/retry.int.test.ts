// Retry from failure over the HTTP API (in-process) with a real target
// server: the plan first, then a new execution that reuses what succeeded,
// sending the same Idempotency-Key for the step it runs again.
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { json, startTargetServer, type TargetServer } from '../support/target-server.js';

let api: ApiHarness | undefined;
let target: TargetServer | undefined;

afterEach(async () => {
  await api?.close();
  await target?.close();
  api = undefined;
  target = undefined;
});

const body = (res: { body: string }) => JSON.parse(res.body);

async function finished(id: string) {
  const view = await api?.runtime.tasker.waitForExecution(id, 15_000);
  if (!view) throw new Error('no api');
  return view;
}

describe('retry from failure', () => {
  it('plans, then re-runs only the failed step and what follows, reusing the rest', async () => {
    let bCalls = 0;
    target = await startTargetServer((req, res) => {
      if (req.url === '/b') return ++bCalls === 1 ? json(res, 500, { down: true }) : json(res, 200, { saved: true });
      json(res, 200, { items: [1, 2, 3] });
    });
    api = await startApiHarness();
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/tasks',
      payload: {
        name: 'pipeline',
        steps: [
          { id: 'read', type: 'http', params: { url: `${target.url}/a` } },
          { id: 'write', type: 'http', params: { method: 'POST', url: `${target.url}/b`, body: '{{ steps.read.output.body }}' } },
          { id: 'remember', type: 'storage.write', params: { key: 'done', value: true } },
        ],
      },
    });
    expect(created.statusCode).toBe(201);
    const first = body(await api.app.inject({ method: 'POST', url: '/v1/tasks/pipeline/executions', payload: {} }));
    expect((await finished(first.id)).status).toBe('failed');

    const plan = await api.app.inject({ method: 'POST', url: `/v1/executions/${first.id}/retry?dryRun=true`, payload: {} });
    expect(plan.statusCode).toBe(200);
    expect(body(plan)).toMatchObject({
      retryOf: first.id,
      reused: [{ stepId: 'read', path: 'read' }],
      rerun: [
        { stepId: 'write', sideEffects: true },
        { stepId: 'remember', sideEffects: true },
      ],
    });
    expect(target.requests).toHaveLength(2);

    const retried = await api.app.inject({ method: 'POST', url: `/v1/executions/${first.id}/retry`, payload: {} });
    expect(retried.statusCode).toBe(202);
    const second = body(retried);
    expect(second).toMatchObject({ retryOf: first.id, trigger: 'retry' });
    const view = await finished(second.id);
    expect(view.status).toBe('succeeded');
    expect(target.requests.map((r) => r.url)).toEqual(['/a', '/b', '/b']);
    const keys = target.requests.filter((r) => r.url === '/b').map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(keys[1]);
    expect(view.steps.find((s) => s.stepId === 'read')?.output).toMatchObject({ body: { items: [1, 2, 3] } });
  });

  it('with a new input reuses nothing unless asked', async () => {
    target = await startTargetServer((_req, res) => json(res, 200, {}));
    api = await startApiHarness();
    await api.runtime.tasker.createTask({
      name: 'greet',
      steps: [
        { id: 'call', type: 'http', params: { url: `${target.url}/{{ input.who }}` } },
        { id: 'boom', type: 'fail', if: '{{ input.who = "bob" }}', params: { message: 'no bob' } },
      ],
    });
    const { execution } = await api.runtime.tasker.startExecution({ task: 'greet', input: { who: 'bob' } });
    expect((await finished(execution.id)).status).toBe('failed');
    const res = await api.app.inject({ method: 'POST', url: `/v1/executions/${execution.id}/retry`, payload: { input: { who: 'ann' } } });
    expect(res.statusCode).toBe(202);
    expect((await finished(body(res).id)).status).toBe('succeeded');
    expect(target.requests.map((r) => r.url)).toEqual(['/bob', '/ann']);
    // A new input is a new request: its Idempotency-Keys are its own.
    const [bob, ann] = target.requests.map((r) => r.headers['idempotency-key']);
    expect(ann).not.toBe(bob);
  });

  it('re-runs a step handled by continue and every step after it (they may have used its result)', async () => {
    let calls = 0;
    target = await startTargetServer((_req, res) => (++calls === 1 ? json(res, 500, {}) : json(res, 200, { ok: true })));
    api = await startApiHarness();
    await api.runtime.tasker.createTask({
      name: 'soft-fail',
      steps: [
        { id: 'first', type: 'transform', params: { value: 'kept' } },
        { id: 'a', type: 'http', params: { url: target.url }, onError: 'continue' },
        { id: 'after', type: 'transform', params: { value: 'a was {{ steps.a.status }}' } },
      ],
    });
    const { execution } = await api.runtime.tasker.startExecution({ task: 'soft-fail' });
    const first = await finished(execution.id);
    expect(first).toMatchObject({ status: 'handled_failure', output: 'a was failed' });
    const plan = await api.runtime.tasker.planRetry(execution.id, {});
    expect(plan.reused.map((r) => r.stepId)).toEqual(['first']);
    expect(plan.rerun.map((r) => r.stepId)).toEqual(['a', 'after']);
    const retried = await api.runtime.tasker.retryExecution(execution.id, {});
    expect(await finished(retried.id)).toMatchObject({ status: 'succeeded', output: 'a was succeeded' });
  });

  it('re-runs only the failed item of a loop', async () => {
    const failedOnce = new Set<string>();
    target = await startTargetServer((req, res) => {
      if (req.url === '/item/3' && !failedOnce.has(req.url)) {
        failedOnce.add(req.url);
        return json(res, 500, {});
      }
      json(res, 200, { url: req.url });
    });
    api = await startApiHarness();
    await api.runtime.tasker.createTask({
      name: 'loop-retry',
      steps: [{ id: 'each', type: 'foreach', items: [1, 2, 3, 4, 5], concurrency: 2, steps: [{ id: 'call', type: 'http', params: { url: `${target.url}/item/{{ item }}` } }] }],
    });
    const { execution } = await api.runtime.tasker.startExecution({ task: 'loop-retry' });
    expect((await finished(execution.id)).status).toBe('failed');
    const before = target.requests.length;
    const retried = await api.runtime.tasker.retryExecution(execution.id, {});
    const view = await finished(retried.id);
    expect(view.status).toBe('succeeded');
    const again = target.requests.slice(before).map((r) => r.url);
    // Item 3 runs again; items 1 and 2 had finished and are reused (item 4 was in flight
    // when the loop failed fast, so it had not committed and runs again too).
    expect(again).toContain('/item/3');
    expect(again).not.toContain('/item/1');
    expect(again).not.toContain('/item/2');
    expect((view.steps.find((s) => s.path === 'each')?.output as { status: number }[]).map((o) => o.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('refuses to retry an execution that has not finished (409) or does not exist (404)', async () => {
    api = await startApiHarness();
    await api.runtime.tasker.createTask({ name: 'napper', steps: [{ id: 'nap', type: 'delay', params: { duration: '5s' } }] });
    const { execution } = await api.runtime.tasker.startExecution({ task: 'napper' });
    const busy = await api.app.inject({ method: 'POST', url: `/v1/executions/${execution.id}/retry`, payload: {} });
    expect(busy.statusCode).toBe(409);
    expect(body(busy).code).toBe('EXECUTION_NOT_FINISHED');
    const missing = await api.app.inject({ method: 'POST', url: '/v1/executions/nope/retry?dryRun=true', payload: {} });
    expect(missing.statusCode).toBe(404);
  });
});
