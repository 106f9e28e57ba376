// The measurement behind B1 and B2: a task of 40 no-op `transform` steps run
// through the real API (POST …/executions?wait=30s) on a given database, each
// step journaled, against the raw baseline of 40 journal-sized commits on the
// same database. Runs alternate (Tasker, raw, Tasker, …) so drift on a busy
// machine hits both alike. Cleans up its temp dir, database and keys always.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioContext } from './scenario.js';
import { createFreshDatabase, freshRedisPrefix, type ServerDialect } from './fresh-server-database.js';
import { commitSequence, openRawServer, openRawSqlite, type RawCommitter } from './raw-journal-commits.js';
import { createTask, runAndWait, startTaskerApi, type TaskerApi } from './tasker-api-server.js';
import { summarize, type TimingSummary } from './timing-samples.js';

export const NOOP_STEPS = 40;
export const NOOP_TASK = 'bench-noop-40';
/** What each step outputs and the raw baseline writes: the same JSON text. */
const STEP_OUTPUT = '{"step":1}';

export interface DurableStepsFigures {
  /** Wall time of one execution over the API (ms). */
  wall: TimingSummary;
  /** 40 raw commits on the same database (ms). */
  raw: TimingSummary;
}

/** 40 transform steps with constant values: the engine, the journal and the API, nothing else. */
export function noopTaskDefinition(): { name: string; steps: Array<{ id: string; type: string; params: { value: { step: number } } }> } {
  return {
    name: NOOP_TASK,
    steps: Array.from({ length: NOOP_STEPS }, (_, i) => ({ id: `s${String(i + 1).padStart(2, '0')}`, type: 'transform', params: { value: { step: 1 } } })),
  };
}

export function runCounts(ctx: ScenarioContext): { runs: number; warmups: number } {
  return { runs: 20, warmups: ctx.quick ? 3 : 10 };
}

async function measure(ctx: ScenarioContext, api: TaskerApi, raw: RawCommitter): Promise<DurableStepsFigures> {
  const { runs, warmups } = runCounts(ctx);
  await createTask(api, noopTaskDefinition());
  const tasker = () => runAndWait(api, NOOP_TASK, NOOP_STEPS);
  const baseline = () => commitSequence(raw, NOOP_STEPS);
  for (let i = 0; i < warmups; i++) {
    await tasker();
    await baseline();
  }
  const wall: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await tasker();
    wall.push(performance.now() - t0);
    t0 = performance.now();
    await baseline();
    rawMs.push(performance.now() - t0);
  }
  return { wall: summarize(wall), raw: summarize(rawMs) };
}

let embedded: Promise<DurableStepsFigures> | undefined;

/** On an embedded SQLite file in a temp dir; measured once per process (B1 and B2 share it). */
export function measureEmbedded(ctx: ScenarioContext): Promise<DurableStepsFigures> {
  embedded ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tasker-bench-'));
    let api: TaskerApi | undefined;
    let raw: RawCommitter | undefined;
    try {
      api = await startTaskerApi({ TASKER_DB_URL: `sqlite:${join(dir, 'tasker.db')}` });
      raw = openRawSqlite(join(dir, 'raw.db'), STEP_OUTPUT);
      return await measure(ctx, api, raw);
    } finally {
      await api?.close().catch((err: unknown) => ctx.log(`   closing Tasker failed: ${String(err)}`));
      await raw?.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return embedded;
}

/** On a fresh database of a server, with Redis (queue and kv) under a fresh prefix when a URL is given. */
export async function measureOnServer(ctx: ScenarioContext, dialect: ServerDialect, adminUrl: string, redisUrl: string | undefined): Promise<DurableStepsFigures> {
  const database = await createFreshDatabase(dialect, adminUrl);
  const redis = redisUrl === undefined ? undefined : freshRedisPrefix(redisUrl);
  let api: TaskerApi | undefined;
  let raw: RawCommitter | undefined;
  try {
    api = await startTaskerApi({
      TASKER_DB_URL: database.url,
      ...(redis !== undefined && redisUrl !== undefined ? { TASKER_REDIS_URL: redisUrl, TASKER_REDIS_PREFIX: redis.prefix } : {}),
    });
    raw = await openRawServer(dialect, database.url, STEP_OUTPUT);
    return await measure(ctx, api, raw);
  } finally {
    await api?.close().catch((err: unknown) => ctx.log(`   closing Tasker failed: ${String(err)}`));
    await raw?.close().catch(() => undefined);
    await database.drop().catch((err: unknown) => ctx.log(`   dropping ${database.name} failed: ${String(err)}`));
    await redis?.clean().catch((err: unknown) => ctx.log(`   deleting Redis keys failed: ${String(err)}`));
  }
}
