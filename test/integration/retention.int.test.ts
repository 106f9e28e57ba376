// Retention (TASKER_RETENTION) through the real runtime and store, with an
// injected clock: finished executions older than the retention go with their
// journals, unfinished ones stay whatever their age; the loop started with the
// worker prunes on its own and survives a failing pass.
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlStores } from '../../src/adapters/sql/index.js';
import { PruneExecutions, type PruneDeps } from '../../src/app/prune-executions.js';
import { RetentionLoop } from '../../src/app/run-retention.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Runtime } from '../../src/main.js';
import { startTempRuntime, type TempRuntime } from '../support/temp-runtime.js';
import { FakeClock } from '../support/fake-clock.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

let rt: TempRuntime | undefined;
afterEach(async () => {
  await rt?.cleanup();
  rt = undefined;
});

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function finished(tasker: Runtime['tasker'], task: string): Promise<string> {
  const { execution } = await tasker.startExecution({ task });
  const view = await tasker.waitForExecution(execution.id, 20_000);
  expect(view.status).toBe('succeeded');
  return execution.id;
}

const exists = async (tasker: Runtime['tasker'], id: string) =>
  tasker.getExecution(id).then(() => true, (err: { code?: string }) => {
    if (err.code === 'EXECUTION_NOT_FOUND') return false;
    throw err;
  });

/** A logger that keeps error lines, for the loop's "never throws" case. */
function recordingLogger(errors: string[]): Logger {
  const logger: Logger = {
    error: (_o, msg) => void errors.push(msg ?? ''),
    warn: () => undefined, info: () => undefined, debug: () => undefined,
    child: () => logger,
  };
  return logger;
}

/** What PruneExecutions reads, around a real store, at T0 + 2h with a 1h retention. */
function pruneDeps(executions: PruneDeps['executions'], logger: Logger): PruneDeps {
  const settings = { retentionMs: HOUR } as PruneDeps['settings'];
  return { executions, clock: { now: () => T0 + 2 * HOUR }, logger, settings };
}

describe('retention', () => {
  it('prunes finished executions older than the retention with their journals, and never unfinished ones', async () => {
    const clock = new FakeClock(T0);
    rt = await startTempRuntime({ TASKER_RETENTION: '1h' }, { clock });
    const { tasker } = rt.runtime;
    await tasker.createTask({ name: 'quick', steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
    await tasker.createTask({ name: 'sleepy', steps: [{ id: 'nap', type: 'delay', params: { duration: '1000h' } }] });
    const old1 = await finished(tasker, 'quick');
    const old2 = await finished(tasker, 'quick');
    const { execution: canceled } = await tasker.startExecution({ task: 'sleepy' });
    await tasker.cancelExecution(canceled.id);
    const { execution: waiting } = await tasker.startExecution({ task: 'sleepy' });
    await eventually(async () => (await tasker.getExecution(waiting.id)).status === 'waiting', 'the delay to start');
    clock.t = T0 + HOUR / 2;
    const recent = await finished(tasker, 'quick');

    // Nothing has been finished for an hour yet.
    expect(await tasker.pruneExecutions()).toBe(0);
    clock.t = T0 + HOUR + 1;
    expect(await tasker.pruneExecutions()).toBe(3);
    for (const id of [old1, old2, canceled.id]) expect(await exists(tasker, id)).toBe(false);
    for (const id of [recent, waiting.id]) expect(await exists(tasker, id)).toBe(true);
    const stores = await createSqlStores(rt.dbUrl);
    try {
      expect(await stores.executions.attempts(old1)).toEqual([]);
      expect(await stores.executions.attempts(recent)).toHaveLength(1);
    } finally {
      await stores.close();
    }

    // Age alone never prunes: the waiting execution outlives any cutoff.
    clock.t = T0 + 500 * HOUR;
    expect(await tasker.pruneExecutions()).toBe(1);
    expect(await exists(tasker, waiting.id)).toBe(true);
    expect((await tasker.listExecutions({ limit: 10 })).items.map((e) => e.id)).toEqual([waiting.id]);
  });

  it('keeps everything when TASKER_RETENTION is not set', async () => {
    const clock = new FakeClock(T0);
    rt = await startTempRuntime({}, { clock });
    await rt.runtime.tasker.createTask({ name: 'quick', steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
    const id = await finished(rt.runtime.tasker, 'quick');
    clock.t = T0 + 10_000 * HOUR;
    expect(await rt.runtime.tasker.pruneExecutions()).toBe(0);
    expect(await exists(rt.runtime.tasker, id)).toBe(true);
  });

  it('runs on its own once the worker starts', async () => {
    const clock = new FakeClock(T0);
    rt = await startTempRuntime({ TASKER_RETENTION: '1h' }, { clock });
    await rt.runtime.tasker.createTask({ name: 'quick', steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
    const id = await finished(rt.runtime.tasker, 'quick');
    clock.t = T0 + 2 * HOUR;
    const restarted = await rt.restart();
    await eventually(async () => !(await exists(restarted.tasker, id)), 'the retention loop to prune the old execution');
  });
});

describe('the retention loop and its batches', () => {
  async function storesWithFinished(count: number) {
    rt = await startTempRuntime({}, { start: false });
    const stores = await createSqlStores(rt.dbUrl);
    for (let i = 0; i < count; i++) {
      await stores.executions.create({
        id: `e${i}`, taskId: 't', taskVersion: 1, scheduleId: null, scheduledFor: null, trigger: 'api', input: null,
        idempotencyKey: null, requestHash: null, retryOf: null, now: T0,
      });
      await stores.executions.cancel(`e${i}`, T0 + i, 'done');
    }
    return stores;
  }

  it('prunes batch after batch until none is left, and stops between batches when asked', async () => {
    const stores = await storesWithFinished(5);
    try {
      const deps = pruneDeps(stores.executions, recordingLogger([]));
      expect(await new PruneExecutions(deps, 2).prune(() => true)).toBe(2);
      expect(await new PruneExecutions(deps, 2).prune()).toBe(3);
      expect((await stores.executions.list({ limit: 10 })).items).toEqual([]);
    } finally {
      await stores.close();
    }
  });

  it('logs a failing pass and never throws out of the loop', async () => {
    const stores = await storesWithFinished(1);
    await stores.close(); // every query now fails
    const errors: string[] = [];
    const logger = recordingLogger(errors);
    const loop = new RetentionLoop({ logger }, new PruneExecutions(pruneDeps(stores.executions, logger)), { firstDelayMs: 0, intervalMs: 10 });
    await expect(loop.pass()).resolves.toBeUndefined();
    expect(errors).toEqual(['pruning finished executions failed; will try again']);
    loop.start();
    await eventually(async () => errors.length >= 3, 'the loop to try again after failures');
    await loop.stop();
    const after = errors.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBe(after);
  });
});
