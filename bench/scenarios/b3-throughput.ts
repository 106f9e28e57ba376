// B3: executions per second over the real HTTP API, closed loop (32 clients,
// each POST /v1/tasks/b3-noop/executions?wait=30s and counting 200 + status
// succeeded), for a one-step no-op transform task:
// - embedded: the real `tasker serve` process on SQLite, in-process queue;
// - queue: 1 api + 2 worker processes (the real bin) on MariaDB + Redis/BullMQ,
//   against raw BullMQ no-op jobs on the same Redis (a Queue here, 2 Worker
//   processes at the same concurrency, each client waiting for its job to finish).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { ROOT, startProcess, waitForOutput, type Proc } from '../../test/support/processes.js';
import { createE2eDatabase, TaskerCluster } from '../../test/support/production-cluster.js';
import { deleteRedisKeys } from '../../test/support/test-redis.js';
import { createRedisClient } from '../../src/adapters/redis/redis-client.js';
import { jsonPoster, runClosedLoop, type ClosedLoopResult } from '../lib/closed-loop-load.js';
import { apiJson, spawnServe } from '../lib/b357-serve.js';
import type { Scenario, ScenarioContext, ScenarioResult } from '../lib/scenario.js';

const CONCURRENCY = 32;
const WORKER_CONCURRENCY = 16;
const TASK = { name: 'b3-noop', steps: [{ id: 'noop', type: 'transform', params: { value: 1 } }] };

async function measure(ctx: ScenarioContext, request: () => Promise<boolean>): Promise<ClosedLoopResult> {
  // A short warm-up first: JIT and connection pools, not counted.
  await runClosedLoop({ concurrency: CONCURRENCY, durationMs: ctx.quick ? 300 : 1_500, request });
  return runClosedLoop({ concurrency: CONCURRENCY, durationMs: ctx.quick ? 2_000 : 10_000, request });
}

/** Closed loop of start-and-wait calls; a call counts when it answered 2xx with status succeeded. */
async function measureApi(ctx: ScenarioContext, apiUrl: string): Promise<ClosedLoopResult> {
  const client = jsonPoster(`${apiUrl}/v1/tasks/${TASK.name}/executions?wait=30s`, CONCURRENCY);
  try {
    return await measure(ctx, async () => {
      const res = await client.post('{}');
      return res.status >= 200 && res.status < 300 && (res.body as { status?: string } | null)?.status === 'succeeded';
    });
  } finally {
    await client.close();
  }
}

async function embedded(ctx: ScenarioContext): Promise<ClosedLoopResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tasker-b3-'));
  let serve: Awaited<ReturnType<typeof spawnServe>> | undefined;
  try {
    serve = await spawnServe({ TASKER_DB_URL: `sqlite:${join(dir, 'tasker.db')}` });
    await apiJson(`${serve.url}/v1/tasks`, TASK);
    return await measureApi(ctx, serve.url);
  } finally {
    await serve?.proc.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

async function queueMode(ctx: ScenarioContext, redisUrl: string, mariadbUrl: string): Promise<ClosedLoopResult> {
  const database = await createE2eDatabase(mariadbUrl);
  const cluster = await TaskerCluster.create({
    dbUrl: database.url,
    redisUrl,
    env: { TASKER_LOG_LEVEL: 'warn', TASKER_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) },
  });
  try {
    const api = await cluster.start('api');
    await Promise.all([cluster.start('worker'), cluster.start('worker')]);
    if (api.url === undefined) throw new Error('the api process has no URL');
    await apiJson(`${api.url}/v1/tasks`, TASK);
    return await measureApi(ctx, api.url);
  } finally {
    await cluster.close();
    await database.drop().catch(() => undefined);
    await deleteKeys(redisUrl, cluster.redisPrefix);
  }
}

/** Raw BullMQ on the same Redis: add a no-op job, wait until it finished (QueueEvents), repeat. */
async function rawBullmq(ctx: ScenarioContext, redisUrl: string): Promise<ClosedLoopResult> {
  const prefix = `tasker-bench:${randomBytes(5).toString('hex')}:bull`;
  const name = 'b3-raw';
  const connection = { url: redisUrl };
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  // Each waiting client adds listeners for its job; 32 at once is expected, not a leak.
  queue.setMaxListeners(CONCURRENCY * 4);
  events.setMaxListeners(CONCURRENCY * 4);
  const workers: Proc[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      workers.push(startProcess(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'lib', 'b3-raw-bullmq-worker.ts'), redisUrl, prefix, name, String(WORKER_CONCURRENCY)], {}, { group: true }));
    }
    await Promise.all(workers.map((w) => waitForOutput(w, 'raw worker ready', 30_000)));
    await events.waitUntilReady();
    return await measure(ctx, async () => {
      const job = await queue.add('noop', {}, { removeOnComplete: true, removeOnFail: true });
      await job.waitUntilFinished(events, 30_000);
      return true;
    });
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    await deleteKeys(redisUrl, `${prefix}:`);
  }
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedisClient(redisUrl, 'tasker-bench');
  try {
    await deleteRedisKeys(redis, prefix);
  } catch (err) {
    process.stderr.write(`could not delete the Redis keys under ${prefix}: ${(err as Error).message}\n`);
  } finally {
    redis.disconnect();
  }
}

export const b3Throughput: Scenario = {
  name: 'B3',
  title: 'executions/s over HTTP, closed loop x32: embedded (tasker serve, SQLite) and queue (MariaDB + BullMQ) vs raw BullMQ',
  async run(ctx) {
    const metrics: Record<string, number> = {};
    const notes: Record<string, string> = {
      method: `${CONCURRENCY} clients looping POST ?wait=30s (undici request on a keep-alive pool: the lightest client, as the load generator shares the cores); the real tasker serve process (bin/tasker.js); worker concurrency ${WORKER_CONCURRENCY}`,
    };
    const emb = await embedded(ctx);
    Object.assign(metrics, { execPerSec: emb.perSec, latencyP50Ms: emb.latencyP50Ms, latencyP99Ms: emb.latencyP99Ms, failed: emb.failed });
    ctx.log(`   embedded: ${emb.perSec.toFixed(0)}/s, p50 ${emb.latencyP50Ms.toFixed(1)} ms, p99 ${emb.latencyP99Ms.toFixed(1)} ms, failed ${emb.failed}`);
    if (ctx.redisUrl === undefined || ctx.mariadbUrl === undefined) {
      notes.queue = 'skipped: TASKER_BENCH_REDIS_URL or TASKER_BENCH_MARIADB_URL is empty';
      return { metrics, notes } satisfies ScenarioResult;
    }
    const raw = await rawBullmq(ctx, ctx.redisUrl);
    ctx.log(`   raw BullMQ: ${raw.perSec.toFixed(0)}/s, p50 ${raw.latencyP50Ms.toFixed(1)} ms`);
    const q = await queueMode(ctx, ctx.redisUrl, ctx.mariadbUrl);
    ctx.log(`   queue: ${q.perSec.toFixed(0)}/s, p50 ${q.latencyP50Ms.toFixed(1)} ms, p99 ${q.latencyP99Ms.toFixed(1)} ms, failed ${q.failed}`);
    Object.assign(metrics, {
      execPerSecQueue: q.perSec,
      queueLatencyP50Ms: q.latencyP50Ms,
      queueLatencyP99Ms: q.latencyP99Ms,
      queueFailed: q.failed,
      rawBullmqPerSec: raw.perSec,
      rawBullmqLatencyP50Ms: raw.latencyP50Ms,
      queueVsRawBullmq: raw.perSec > 0 ? q.perSec / raw.perSec : 0,
    });
    return { metrics, notes };
  },
};
