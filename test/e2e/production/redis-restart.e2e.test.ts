// Redis restarted empty while 100 executions are queued: the jobs in Redis
// are gone, but the SQL store still holds the executions, so the worker's
// reconciler (on start, then every lease period) enqueues them again and all
// 100 finish. Runs its own redis-server (no persistence) so the machine's
// Redis is untouched; the API process lives through the restart.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateServer } from '../../support/private-servers.js';
import { countByStatus, expectJson, listAllExecutions, TaskerCluster, waitFor } from '../../support/production-cluster.js';

const EXECUTIONS = 100;

let redis: PrivateServer | undefined;
let cluster: TaskerCluster | undefined;

beforeAll(async () => {
  redis = await startPrivateRedis();
  cluster = await TaskerCluster.create({ redisUrl: redis.url, env: { TASKER_LEASE: '2s' } });
});

afterAll(async () => {
  await cluster?.close();
  await redis?.close();
});

async function keyCount(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    return await client.dbsize();
  } finally {
    client.disconnect();
  }
}

describe('Redis restarted empty while 100 executions are queued', () => {
  it('finishes all 100 once a worker runs, and the API keeps working without a restart', async ({ onTestFailed }) => {
    const c = cluster as TaskerCluster;
    const r = redis as PrivateServer;
    onTestFailed(() => console.error(`${c.report()}\n${r.output()}`));
    await c.start('api');
    const api = c.apiUrl();
    await expectJson(201, `${api}/v1/tasks`, {
      body: { name: 'queued-work', steps: [{ id: 'double', type: 'transform', params: { value: '{{ input.n * 2 }}' } }] },
    });
    for (let i = 0; i < EXECUTIONS; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => expectJson(202, `${api}/v1/tasks/queued-work/executions`, { body: { input: { n: i + j } } })));
    }
    expect(countByStatus(await listAllExecutions(api, 'task=queued-work'))).toEqual({ queued: EXECUTIONS });
    expect(await keyCount(r.url)).toBeGreaterThan(0);

    await r.stop('SIGKILL');
    await r.start();
    expect(await keyCount(r.url)).toBe(0);

    const workerStart = Date.now();
    await c.start('worker');
    const executions = await waitFor('all 100 executions to finish', async () => {
      const all = await listAllExecutions(api, 'task=queued-work');
      return all.every((e) => e.status === 'succeeded') ? all : undefined;
    }, 60_000, 250).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(countByStatus(await listAllExecutions(api, 'task=queued-work')))}`);
    });
    const drainedMs = Date.now() - workerStart;
    expect(executions).toHaveLength(EXECUTIONS);

    // The API process reconnected to the new Redis by itself: a new execution is dispatched and runs.
    // (One idempotency key, so a retried request waits for the same execution.)
    const fresh = await waitFor('the API to start an execution on the new Redis', () =>
      expectJson<{ id: string; status: string; output: unknown }>(200, `${api}/v1/tasks/queued-work/executions?wait=20s`, {
        body: { input: { n: 21 } }, headers: { 'idempotency-key': 'after-restart' },
      }), 30_000, 500);
    expect(fresh).toMatchObject({ status: 'succeeded', output: 42 });
    console.info(`[redis-restart] ${EXECUTIONS} executions queued before the restart finished ${drainedMs} ms after the worker was started`);
  }, 120_000);
});
