// B6: 1,000 schedules firing every second (`* * * * * *`) for 30 s (6 s with
// --quick) in the real `tasker serve` process on SQLite. Per execution: the
// delay from its fire instant (scheduled_for) to its start as the store
// records it (started_at; created_at reported beside it). Expected fires vs
// executions gives the missing ones. The schedules are made through the API
// with startAt/endAt bounding the window, so each fires exactly once a second in it.
// The same run with 100 schedules (…At100 figures) separates the scheduler's
// own precision from the worker's throughput, which 1,000 runs a second exceed.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { percentile } from '../lib/closed-loop-load.js';
import { apiJson, spawnServe } from '../lib/b357-serve.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';

const SCHEDULES = 1_000;
const UNSATURATED_SCHEDULES = 100;

interface Row {
  scheduled_for: number;
  created_at: number;
  started_at: number | null;
  status: string;
}

/** Copies the one schedule in the table `count` times (new ids and names), in one transaction. */
function cloneSchedules(dbFile: string, count: number): void {
  const db = new Database(dbFile, { timeout: 10_000 });
  try {
    const template = db.prepare('select * from schedules limit 1').get() as Record<string, unknown>;
    const columns = Object.keys(template);
    const insert = db.prepare(`insert into schedules (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
    db.transaction(() => {
      for (let i = 0; i < count; i++) insert.run({ ...template, id: randomUUID(), name: `b6 ${i}` });
    })();
  } finally {
    db.close();
  }
}

type Figures = Record<string, number>;

/** One window of `schedules` schedules on a fresh `tasker serve`; the figures of its executions. */
async function measure(ctx: Pick<ScenarioContext, 'log'>, schedules: number, seconds: number, tailMs: number): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'tasker-b6-'));
  const dbFile = join(dir, 'tasker.db');
  let serve: Awaited<ReturnType<typeof spawnServe>> | undefined;
  try {
    serve = await spawnServe({ TASKER_DB_URL: `sqlite:${dbFile}` });
    const url = serve.url;
    await apiJson(`${url}/v1/tasks`, { name: 'b6-noop', steps: [{ id: 'noop', type: 'transform', params: { value: 1 } }] });
    // The window starts on a whole second after the schedules are all made.
    const startAt = Math.ceil((Date.now() + 2_000) / 1000) * 1000;
    const endAt = startAt + seconds * 1000 - 1;
    // One schedule through the API (it also sets the scheduler's next wake to
    // startAt); the others are copies written straight into the table, as if
    // made earlier: the scheduler reads due schedules from the table each pass.
    await apiJson(`${url}/v1/schedules`, { task: 'b6-noop', cron: '* * * * * *', startAt: new Date(startAt).toISOString(), endAt: new Date(endAt).toISOString() });
    cloneSchedules(dbFile, schedules - 1);
    if (Date.now() >= startAt) throw new Error('creating the schedules took longer than the lead time');
    ctx.log(`   ${schedules} schedules made; window ${seconds} s`);
    // The window, then a moment for the last fires to start.
    await new Promise((r) => setTimeout(r, endAt - Date.now() + tailMs));
    await serve.proc.stop('SIGTERM');
    serve = undefined;

    const db = new Database(dbFile, { readonly: true });
    let rows: Row[];
    try {
      rows = db.prepare('select scheduled_for, created_at, started_at, status from executions where scheduled_for between ? and ?').all(startAt, endAt) as Row[];
    } finally {
      db.close();
    }
    const started = rows.filter((r) => r.started_at !== null).map((r) => (r.started_at ?? 0) - r.scheduled_for).sort((a, b) => a - b);
    const created = rows.map((r) => r.created_at - r.scheduled_for).sort((a, b) => a - b);
    const expected = schedules * seconds;
    return {
      fireDelayP50Ms: percentile(started, 0.5),
      fireDelayP99Ms: percentile(started, 0.99),
      fireDelayMaxMs: started[started.length - 1] ?? 0,
      createDelayP50Ms: percentile(created, 0.5),
      createDelayP99Ms: percentile(created, 0.99),
      expected,
      executions: rows.length,
      missing: expected - rows.length,
      notStarted: rows.length - started.length,
      succeeded: rows.filter((r) => r.status === 'succeeded').length,
    };
  } finally {
    await serve?.proc.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

export const b6FireDelay: Scenario = {
  name: 'B6',
  title: '1,000 schedules firing every second: fire instant to execution start, p50/p99 (tasker serve, SQLite); and 100',
  async run(ctx) {
    const seconds = ctx.quick ? 2 : 30;
    const tailMs = ctx.quick ? 1_000 : 2_000;
    const metrics = await measure(ctx, SCHEDULES, seconds, tailMs);
    const unsaturated = await measure(ctx, UNSATURATED_SCHEDULES, seconds, tailMs);
    for (const key of ['fireDelayP50Ms', 'fireDelayP99Ms', 'createDelayP99Ms', 'missing'] as const) {
      metrics[`${key}At${UNSATURATED_SCHEDULES}`] = unsaturated[key] ?? Number.NaN;
    }
    return {
      metrics,
      notes: {
        method: `real tasker serve (bin/tasker.js), SQLite; delay = started_at - scheduled_for per execution, read from the database after a graceful stop; missing = fires with no execution (overlap skip or catch-up when the worker falls behind; see the ledger); …At${UNSATURATED_SCHEDULES}: the same with ${UNSATURATED_SCHEDULES} schedules`,
      },
    };
  },
};
