import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
let target: Server;
let targetUrl: string;
const received: { method: string; url: string }[] = [];

beforeAll(async () => {
  h = await startApiHarness();
  target = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '' });
    if (req.url?.startsWith('/broken')) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h?.close();
  await new Promise((resolve) => target?.close(resolve));
});

const seedTask = (name: string, path: string) => ({
  name,
  steps: [{ id: 1, type: 'api_call', params: { url: `${targetUrl}${path}`, method: 'GET' } }],
});

async function createSeedTaskAndSchedule(name: string, path: string) {
  const task = await h.app.inject({ method: 'POST', url: '/task/', payload: seedTask(name, path) });
  expect(task.statusCode).toBe(201);
  const schedule = await h.app.inject({ method: 'POST', url: '/schedule/', payload: { task_id: json(task).id, cron: '0 0 1 1 *' } });
  expect(schedule.statusCode).toBe(201);
  return { task: json(task), schedule: json(schedule) };
}

describe('seed-compatible routes', () => {
  it('creates a task in the seed format and reads it back by id', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/task/', payload: seedTask('seed-create', '/ok') });
    expect(res.statusCode).toBe(201);
    const task = json(res);
    expect(task).toMatchObject({ id: expect.any(String), name: 'seed-create' });
    expect(task.steps[0]).toMatchObject({ id: 's1', type: 'http' });
    const got = await h.app.inject({ method: 'GET', url: `/task/${task.id}` });
    expect(got.statusCode).toBe(200);
    expect(json(got)).toMatchObject({ id: task.id, name: 'seed-create' });
  });

  it('creates a schedule from task_id and cron_expression', async () => {
    const task = json(await h.app.inject({ method: 'POST', url: '/task/', payload: seedTask('seed-schedule', '/ok') }));
    const res = await h.app.inject({ method: 'POST', url: '/schedule', payload: { task_id: task.id, cron_expression: '*/5 * * * *' } });
    expect(res.statusCode).toBe(201);
    expect(json(res)).toMatchObject({ id: expect.any(String), task_id: task.id, taskId: task.id, cron: '*/5 * * * *' });
  });

  it('executes a task to the end and answers in the seed shape, once per idempotency token', async () => {
    const { task, schedule } = await createSeedTaskAndSchedule('seed-exec', '/ok');
    const before = received.length;
    const url = `/task/${task.id}/execute/${schedule.id}`;
    const res = await h.app.inject({ method: 'POST', url, payload: { idempotency_token: 'tok-1' } });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(Object.keys(body).sort()).toEqual(['executed_time', 'id', 'scheduled_task', 'status', 'task_id']);
    expect(body).toMatchObject({ task_id: task.id, scheduled_task: schedule.id, status: 'success' });
    expect(body.executed_time).toMatch(/Z$/);
    const again = await h.app.inject({ method: 'POST', url, payload: { idempotency_token: 'tok-1' } });
    expect(json(again).id).toBe(body.id);
    expect(received.length - before).toBe(1);
  });

  it('answers failure when the task fails', async () => {
    const { task, schedule } = await createSeedTaskAndSchedule('seed-fail', '/broken');
    const res = await h.app.inject({ method: 'POST', url: `/task/${task.id}/execute/${schedule.id}`, payload: {} });
    expect(res.statusCode).toBe(200);
    expect(json(res).status).toBe('failure');
  });

  it('refuses a schedule of another task', async () => {
    const a = await createSeedTaskAndSchedule('seed-a', '/ok');
    const b = await createSeedTaskAndSchedule('seed-b', '/ok');
    const res = await h.app.inject({ method: 'POST', url: `/task/${a.task.id}/execute/${b.schedule.id}`, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors[0].path).toBe('/params/scheduleID');
  });

  it('runs the due schedules on POST /jobs/execute-scheduled-tasks', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/jobs/execute-scheduled-tasks' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ fired: expect.any(Number), executionIds: expect.any(Array) });
  });
});
