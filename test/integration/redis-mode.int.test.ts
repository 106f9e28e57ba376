// Tasker with TASKER_REDIS_URL, end to end in one process on a SQLite file:
// storage steps write to Redis, waits (delay steps, retry back-off) are
// BullMQ delayed jobs, and when Redis loses every key (restarted empty) the
// reconciler re-enqueues the unfinished executions from SQL. Each test has
// its own key prefix, removed after; the real Redis of this machine.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTempRuntime, type TempRuntime } from '../support/temp-runtime.js';
import { json, startTargetServer, type TargetServer } from '../support/target-server.js';
import { connectTestRedis, deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis.js';

let connecting: Promise<Redis> | undefined;
let redis: Redis;
let prefix: string;
let temp: TempRuntime | undefined;
let target: TargetServer | undefined;

beforeEach(async () => {
  redis = await (connecting ??= connectTestRedis());
  prefix = uniqueRedisPrefix();
});
afterEach(async () => {
  await temp?.cleanup();
  await target?.close();
  temp = undefined;
  target = undefined;
  await deleteRedisKeys(redis, prefix);
});
afterAll(async () => {
  await connecting?.then((client) => client.quit()).catch(() => undefined);
});

function redisEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { TASKER_REDIS_URL: TEST_REDIS_URL, TASKER_REDIS_PREFIX: prefix, TASKER_LEASE: '1s', ...extra };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** BullMQ's delayed jobs for an execution (ids `<execution id>@<runAt>`). */
async function delayedJobsOf(executionId: string): Promise<string[]> {
  const ids = await redis.zrange(`${prefix}bull:executions:delayed`, 0, -1);
  return ids.filter((id) => id.startsWith(`${encodeURIComponent(executionId)}@`));
}

describe('with TASKER_REDIS_URL set', () => {
  it('runs storage, delay and a retried http step through Redis and BullMQ delayed jobs', async () => {
    target = await startTargetServer((_req, res, index) => (index === 0 ? json(res, 503, { busy: true }) : json(res, 200, { ok: true })));
    temp = await startTempRuntime(redisEnv());
    const { tasker } = temp.runtime;
    await tasker.createTask({
      name: 'redis-mode',
      steps: [
        { id: 'remember', type: 'storage.write', params: { namespace: 'mode:test', key: 'answer', value: '{{ input.answer }}' } },
        { id: 'pause', type: 'delay', params: { duration: '1s' } },
        { id: 'call', type: 'http', params: { url: `${target.url}/flaky` }, retry: { maxAttempts: 3, backoff: 'fixed', delay: '700ms' } },
      ],
    });
    const { execution } = await tasker.startExecution({ task: 'redis-mode', input: { answer: 12345678901234567890n } });

    // The delay: the execution waits, held by no worker, as a delayed job in Redis.
    await until(async () => (await delayedJobsOf(execution.id)).length === 1, 'the delay to become a delayed job');
    expect((await tasker.getExecution(execution.id)).status).toBe('waiting');
    const delayJobs = await delayedJobsOf(execution.id);
    // The retry back-off after the 503: another delayed job, for a later instant.
    await until(() => target?.requests.length === 1, 'the first request');
    await until(async () => (await delayedJobsOf(execution.id)).some((id) => !delayJobs.includes(id)), 'the retry to be scheduled');

    const view = await tasker.waitForExecution(execution.id, 20_000);
    expect(view.status).toBe('succeeded');
    expect(target.requests).toHaveLength(2);
    const [first, second] = target.requests.map((r) => r.at) as [number, number];
    const gap = second - first;
    expect(gap).toBeGreaterThanOrEqual(600);
    expect(gap).toBeLessThan(6_000);
    expect(view.steps.find((s) => s.stepId === 'pause')?.output).toMatchObject({ waitedMs: expect.any(Number) });

    const entry = await tasker.getStorage('mode:test', 'answer');
    expect(entry).toEqual({ namespace: 'mode:test', key: 'answer', value: 12345678901234567890n, expiresAt: null });
    expect(await redis.hget(`${prefix}kv:mode%3Atest:answer`, 'v')).toBe('12345678901234567890');
    expect(await redis.zcard(`${prefix}bull:executions:delayed`)).toBe(0);
  });

  it('finishes all 100 executions queued while no worker ran, after Redis lost every key', async () => {
    temp = await startTempRuntime(redisEnv(), { start: false });
    const { tasker } = temp.runtime;
    await tasker.createTask({ name: 'batch', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input.n }}' } }] });
    const ids: string[] = [];
    for (let n = 0; n < 100; n++) ids.push((await tasker.startExecution({ task: 'batch', input: { n } })).execution.id);
    expect(await redis.llen(`${prefix}bull:executions:wait`)).toBe(100);

    // Redis restarted empty: every job is gone; the executions are only in SQL.
    expect(await deleteRedisKeys(redis, prefix)).toBeGreaterThanOrEqual(100);
    const started = Date.now();
    await temp.runtime.start();
    const views = await Promise.all(ids.map((id) => tasker.waitForExecution(id, 30_000)));
    const tookMs = Date.now() - started;
    expect(views.map((v) => v.status)).toEqual(ids.map(() => 'succeeded'));
    expect(views.map((v) => v.output)).toEqual(ids.map((_, n) => n));
    console.log(`redis-mode: 100 executions recovered after Redis lost its keys, all finished in ${tookMs} ms`);
  });

  it('lets the periodic reconciler restore delayed wakes lost while the worker runs', async () => {
    temp = await startTempRuntime(redisEnv());
    const { tasker } = temp.runtime;
    await tasker.createTask({ name: 'sleepy', steps: [{ id: 'nap', type: 'delay', params: { duration: '3s' } }, { id: 'done', type: 'transform', params: { value: true } }] });
    const ids: string[] = [];
    for (let n = 0; n < 100; n++) ids.push((await tasker.startExecution({ task: 'sleepy', input: {} })).execution.id);
    await until(async () => (await redis.zcard(`${prefix}bull:executions:delayed`)) === 100, 'all 100 to wait as delayed jobs');

    const lost = Date.now();
    await deleteRedisKeys(redis, prefix);
    // Within about one lease (1s) the reconciler puts every wake back, at its original instant.
    await until(async () => (await redis.zcard(`${prefix}bull:executions:delayed`)) === 100, 'the reconciler to restore the wakes', 10_000);
    const restoredMs = Date.now() - lost;
    const views = await Promise.all(ids.map((id) => tasker.waitForExecution(id, 30_000)));
    const tookMs = Date.now() - lost;
    expect(views.map((v) => v.status)).toEqual(ids.map(() => 'succeeded'));
    console.log(`redis-mode: 100 delayed wakes lost while running: restored after ${restoredMs} ms, all finished ${tookMs} ms after the loss`);
  });
});
