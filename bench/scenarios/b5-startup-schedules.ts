// B5: the real `tasker serve` (embedded SQLite) starting with 100,000 enabled
// schedules in its database: time from spawn to /readyz = 200, and resident
// memory once idle. Baseline: the same on an empty database, in the same run.
// The schedules are written straight into the table (one transaction) as
// copies of one schedule made through the API use case, with varied cron
// expressions and zones and their real next fire instants.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { nextFireTimes } from '../../src/domain/cron.js';
import { createRuntime } from '../../src/main.js';
import { rssMb, spawnServe } from '../lib/b357-serve.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';

const SCHEDULES = 100_000;
const IDLE_MS = 3_000;
const IDLE_MS_QUICK = 1_000;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo'];
/** Patterns with a minute slot; none fires more often than hourly, as most real schedules. */
const PATTERNS = [(m: number) => `${m} * * * *`, (m: number) => `${m} 3 * * *`, (m: number) => `${m} 9 * * MON-FRI`, (m: number) => `${m} */6 * * *`, (m: number) => `${m} 2 1 * *`, (m: number) => `0 ${m} 12 * * SUN`];

/** Creates the schema, a task and one schedule through the runtime, then copies that schedule `count` times. */
export async function seed(dbFile: string, count: number): Promise<void> {
  const runtime = await createRuntime(loadConfig({ TASKER_DB_URL: `sqlite:${dbFile}`, TASKER_LOG_LEVEL: 'silent' }));
  try {
    if (count === 0) return;
    await runtime.tasker.createTask({ name: 'b5-noop', steps: [{ id: 'noop', type: 'transform', params: { value: 1 } }] });
    await runtime.tasker.createSchedule({ task: 'b5-noop', cron: '0 3 * * *' });
  } finally {
    await runtime.close();
  }
  if (count <= 1) return;
  const db = new Database(dbFile);
  try {
    const template = db.prepare('select * from schedules limit 1').get() as Record<string, unknown>;
    const columns = Object.keys(template);
    const insert = db.prepare(`insert into schedules (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
    const now = Date.now();
    const nextFire = new Map<string, number | null>();
    db.transaction(() => {
      for (let i = 1; i < count; i++) {
        const cron = PATTERNS[i % PATTERNS.length]!(Math.floor(i / PATTERNS.length) % 60);
        const timezone = ZONES[i % ZONES.length]!;
        const key = `${cron}|${timezone}`;
        let next = nextFire.get(key);
        if (next === undefined) {
          next = nextFireTimes(cron, timezone, now, 1)[0] ?? null;
          nextFire.set(key, next);
        }
        insert.run({ ...template, id: randomUUID(), name: `b5 ${i}`, cron, timezone, next_fire_at: next, created_at: now, updated_at: now });
      }
    })();
  } finally {
    db.close();
  }
}

interface Boot {
  startupMs: number;
  rssMb: number;
}

/** Spawns the service on the database, times it to ready, lets it idle, reads its RSS, kills it. */
async function boot(dbFile: string, idleMs: number): Promise<Boot> {
  const serve = await spawnServe({ TASKER_DB_URL: `sqlite:${dbFile}` });
  try {
    await new Promise((r) => setTimeout(r, idleMs));
    if (serve.proc.child.exitCode !== null) throw new Error(`tasker serve exited:\n${serve.proc.output().slice(-2000)}`);
    return { startupMs: serve.startupMs, rssMb: await rssMb(serve.pid) };
  } finally {
    await serve.proc.stop('SIGTERM');
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function boots(ctx: ScenarioContext, dbFile: string, label: string): Promise<Boot> {
  const runs: Boot[] = [];
  for (let i = 0; i < (ctx.quick ? 1 : 3); i++) runs.push(await boot(dbFile, ctx.quick ? IDLE_MS_QUICK : IDLE_MS));
  ctx.log(`   ${label}: start ${runs.map((r) => r.startupMs.toFixed(0)).join(', ')} ms; RSS ${runs.map((r) => r.rssMb.toFixed(0)).join(', ')} MB`);
  return { startupMs: median(runs.map((r) => r.startupMs)), rssMb: median(runs.map((r) => r.rssMb)) };
}

export const b5StartupSchedules: Scenario = {
  name: 'B5',
  title: 'tasker serve start-up (spawn to /readyz) and idle RSS with 100,000 schedules vs an empty database',
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'tasker-b5-'));
    try {
      const emptyDb = join(dir, 'empty.db');
      const fullDb = join(dir, 'full.db');
      await seed(emptyDb, 0);
      const t0 = performance.now();
      await seed(fullDb, SCHEDULES);
      ctx.log(`   seeded ${SCHEDULES} schedules in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // One unmeasured start first (tsx's transform cache and the OS page cache, as on any
      // second start); --quick skips it.
      if (!ctx.quick) await boot(emptyDb, 0);
      const empty = await boots(ctx, emptyDb, 'empty');
      const full = await boots(ctx, fullDb, `${SCHEDULES} schedules`);
      return {
        metrics: { startupMs: full.startupMs, rssMb: full.rssMb, startupMsEmpty: empty.startupMs, rssMbEmpty: empty.rssMb },
        notes: {
          method: `real tasker serve (bin/tasker.js), SQLite; ${ctx.quick ? 1 : 3} start(s) each, median; RSS = VmRSS after ${(ctx.quick ? IDLE_MS_QUICK : IDLE_MS) / 1000} s idle`,
          timers: 'the scheduler keeps one timer for the earliest next fire (run-scheduler.ts), never one per schedule',
        },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
