// peer.n8n: the equivalents of B1 and B3 on n8n (bench/peers, installed by
// `npm run bench:peers`), on this machine in the same run, so Tasker's figures
// can be read side by side with a product people know:
// - B1: Webhook → 40 NoOp nodes, the webhook answering when the last node has
//   finished (responseMode lastNode ≈ ?wait=); 20 sequential runs, p50.
//   Alternated with the same workflow saving after every node
//   (saveExecutionProgress), n8n's nearest to Tasker's per-step journal.
// - B3: Webhook → 1 NoOp, closed loop x32 (the same runClosedLoop as B3).
// n8n runs as shipped: embedded SQLite in a fresh folder, regular mode, every
// execution saved. In full runs a second n8n repeats both on the SQLite
// settings n8n recommends (DB_SQLITE_POOL_SIZE > 0, which turns on WAL).
import { jsonPoster, runClosedLoop, type ClosedLoopResult } from '../lib/closed-loop-load.js';
import { rssMb } from '../lib/b357-serve.js';
import { installedN8nVersion, N8N_BENCH_ENV, startN8n, type N8nInstance } from '../lib/n8n-process.js';
import { createActiveWorkflow, savedExecutions, setupOwner, type N8nSession } from '../lib/n8n-rest.js';
import { webhookNoOpChain } from '../lib/n8n-workflows.js';
import type { Scenario, ScenarioContext, ScenarioResult } from '../lib/scenario.js';
import { summarize, type TimingSummary } from '../lib/timing-samples.js';

const B1_NOOPS = 40;
const B1_RUNS = 20;
const B3_CONCURRENCY = 32;
const WAL_ENV = { DB_SQLITE_POOL_SIZE: '2' };

interface Workflows {
  b1: string;
  b1Progress: string;
  b3: string;
  ids: Record<'b1' | 'b1Progress' | 'b3', string>;
}

async function setUp(session: N8nSession): Promise<Workflows> {
  const ids = {
    b1: await createActiveWorkflow(session, webhookNoOpChain({ name: 'bench-b1', path: 'bench-b1', noOps: B1_NOOPS })),
    b1Progress: await createActiveWorkflow(session, webhookNoOpChain({ name: 'bench-b1-progress', path: 'bench-b1-progress', noOps: B1_NOOPS, saveExecutionProgress: true })),
    b3: await createActiveWorkflow(session, webhookNoOpChain({ name: 'bench-b3', path: 'bench-b3', noOps: 1 })),
  };
  const hook = (path: string) => `${session.url}/webhook/${path}`;
  return { b1: hook('bench-b1'), b1Progress: hook('bench-b1-progress'), b3: hook('bench-b3'), ids };
}

/** One webhook call; true when n8n answered 2xx, i.e. the last node ran without error. */
async function post(url: string): Promise<boolean> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await res.arrayBuffer();
  return res.ok;
}

async function timedPost(url: string): Promise<number> {
  const t0 = performance.now();
  if (!(await post(url))) throw new Error(`POST ${url} did not answer 2xx`);
  return performance.now() - t0;
}

/** B1 runs, alternating the default workflow with the save-every-node one so drift hits both alike. */
async function measureB1(ctx: ScenarioContext, wf: Workflows, withProgress: boolean): Promise<{ wall: TimingSummary; progress: TimingSummary | undefined }> {
  const warmups = ctx.quick ? 3 : 10;
  for (let i = 0; i < warmups; i++) {
    await timedPost(wf.b1);
    if (withProgress) await timedPost(wf.b1Progress);
  }
  const wall: number[] = [];
  const progress: number[] = [];
  for (let i = 0; i < B1_RUNS; i++) {
    wall.push(await timedPost(wf.b1));
    if (withProgress) progress.push(await timedPost(wf.b1Progress));
  }
  return { wall: summarize(wall), progress: withProgress ? summarize(progress) : undefined };
}

async function measureB3(ctx: ScenarioContext, wf: Workflows): Promise<ClosedLoopResult> {
  // The same client as Tasker's B3 (jsonPoster), so the two compare.
  const client = jsonPoster(wf.b3, B3_CONCURRENCY);
  const request = async (): Promise<boolean> => {
    const res = await client.post('{}');
    return res.status >= 200 && res.status < 300;
  };
  try {
    // Warm-up as in B3: JIT and connections, not counted.
    await runClosedLoop({ concurrency: B3_CONCURRENCY, durationMs: ctx.quick ? 500 : 1_500, request });
    return await runClosedLoop({ concurrency: B3_CONCURRENCY, durationMs: ctx.quick ? 2_000 : 10_000, request });
  } finally {
    await client.close();
  }
}

interface InstanceFigures {
  startupMs: number;
  rssMb: number;
  b1: TimingSummary;
  b1Progress: TimingSummary | undefined;
  b3: ClosedLoopResult;
  /** Executions n8n lists as saved for the B3 workflow, warm-up included. */
  b3Saved: number;
}

async function onFreshN8n(ctx: ScenarioContext, label: string, env: Record<string, string>, withProgress: boolean): Promise<InstanceFigures> {
  let n8n: N8nInstance | undefined;
  try {
    n8n = await startN8n(env);
    ctx.log(`   ${label}: n8n ready in ${n8n.startupMs.toFixed(0)} ms (fresh database, migrations included)`);
    const session = await setupOwner(n8n.url);
    const wf = await setUp(session);
    const idleRss = await rssMb(n8n.pid);
    const { wall, progress } = await measureB1(ctx, wf, withProgress);
    ctx.log(`   ${label} B1: p50 ${wall.p50.toFixed(1)} ms, p90 ${wall.p90.toFixed(1)} ms${progress === undefined ? '' : `; saving every node: p50 ${progress.p50.toFixed(1)} ms`}`);
    const b3 = await measureB3(ctx, wf);
    const b3Saved = await savedExecutions(session, wf.ids.b3);
    ctx.log(`   ${label} B3: ${b3.perSec.toFixed(0)}/s, p50 ${b3.latencyP50Ms.toFixed(1)} ms, p99 ${b3.latencyP99Ms.toFixed(1)} ms, failed ${b3.failed}; ${b3Saved} executions saved`);
    return { startupMs: n8n.startupMs, rssMb: idleRss, b1: wall, b1Progress: progress, b3, b3Saved };
  } finally {
    await n8n?.stop();
  }
}

export const peerN8n: Scenario = {
  name: 'peer.n8n',
  title: `n8n (bench/peers) on this machine: B1 (webhook + ${B1_NOOPS} NoOp, lastNode) and B3 (webhook + 1 NoOp, closed loop x${B3_CONCURRENCY})`,
  async run(ctx) {
    const version = installedN8nVersion();
    if (version === undefined) return { metrics: {}, notes: { skipped: 'n8n not installed: run npm run bench:peers' } };

    // The saveExecutionProgress variant only in a full run: --quick stays a smoke run.
    const main = await onFreshN8n(ctx, 'default SQLite', {}, !ctx.quick);
    const metrics: Record<string, number> = {
      B1WallMsP50: main.b1.p50,
      B1WallMsP90: main.b1.p90,
      B1WallMsMin: main.b1.min,
      B3ExecPerSec: main.b3.perSec,
      B3LatencyP50Ms: main.b3.latencyP50Ms,
      B3LatencyP99Ms: main.b3.latencyP99Ms,
      B3Failed: main.b3.failed,
      startupMs: main.startupMs,
      rssMb: main.rssMb,
    };
    if (main.b1Progress !== undefined) metrics.B1SaveProgressWallMsP50 = main.b1Progress.p50;
    const settings = Object.entries(N8N_BENCH_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
    const notes: Record<string, string> = {
      version: `n8n ${version}`,
      method: `B1: ${B1_RUNS} runs after ${ctx.quick ? 3 : 10} warm-ups, POST /webhook/… answered by the last of ${B1_NOOPS} NoOp nodes, alternating with the same workflow on saveExecutionProgress (B1SaveProgress…); B3: ${B3_CONCURRENCY} clients looping POST to webhook + 1 NoOp (lastNode), ${ctx.quick ? 2 : 10} s after a warm-up`,
      settings: `fresh N8N_USER_FOLDER per start (deleted after), embedded SQLite with n8n's defaults (DB_SQLITE_POOL_SIZE=0: one connection, no WAL), every execution saved once at its end; ${settings}`,
      persisted: `B3: n8n listed ${main.b3Saved} saved executions for ${main.b3.completed + main.b3.failed} measured requests (plus the warm-up's)`,
    };

    if (!ctx.quick) {
      const wal = await onFreshN8n(ctx, 'SQLite pool (WAL)', WAL_ENV, false);
      Object.assign(metrics, { B1WallMsP50Wal: wal.b1.p50, B3ExecPerSecWal: wal.b3.perSec, B3LatencyP50MsWal: wal.b3.latencyP50Ms });
      notes.wal = `…Wal figures: a second fresh n8n with ${Object.entries(WAL_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} (n8n's recommended pooled SQLite driver, WAL on)`;
    }
    return { metrics, notes } satisfies ScenarioResult;
  },
};
