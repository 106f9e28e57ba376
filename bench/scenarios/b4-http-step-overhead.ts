// B4: what an `http` step costs compared with a raw undici fetch (the client
// Tasker uses) to the same local keep-alive JSON server, in one process.
// Three alternating runs per round: a task of 40 sequential http steps, the
// same task with no-op transforms instead (over the API, ?wait=, SQLite
// journal), and 40 sequential raw fetches. perStepMs is what an http step
// adds over a no-op step (the request as Tasker makes it: templates, request
// planning, the call, response decoding, the bigger journal row); stepWallMs
// is the whole step including engine and commit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import type { Scenario } from '../lib/scenario.js';
import { createHttpStepRunner } from '../../src/adapters/steps/http-step.js';
import type { Logger } from '../../src/ports/logger.js';
import type { StepRunner } from '../../src/ports/step-runner.js';
import { noopTaskDefinition, NOOP_STEPS, NOOP_TASK, runCounts } from '../lib/durable-noop-steps.js';
import { startJsonTarget, type JsonTarget } from '../lib/json-target-server.js';
import { createTask, runAndWait, startTaskerApi, type TaskerApi } from '../lib/tasker-api-server.js';
import { summarize } from '../lib/timing-samples.js';

const HTTP_TASK = 'bench-http-40';

function httpTaskDefinition(url: string) {
  return {
    name: HTTP_TASK,
    steps: Array.from({ length: NOOP_STEPS }, (_, i) => ({ id: `h${String(i + 1).padStart(2, '0')}`, type: 'http', params: { method: 'GET', url } })),
  };
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

/** The http step's runner called directly, as the engine calls it, without the engine or the journal. */
async function runnerCalls(runner: StepRunner, url: string): Promise<void> {
  for (let i = 0; i < NOOP_STEPS; i++) {
    await runner.run({ method: 'GET', url }, {
      executionId: 'bench', stepId: `h${i}`, path: `h${i}`, attempt: 1, idempotencyKey: `bench:h${i}`,
      signal: new AbortController().signal, logger: silentLogger, now: () => Date.now(),
    });
  }
}

async function rawFetches(url: string): Promise<void> {
  for (let i = 0; i < NOOP_STEPS; i++) {
    const res = await fetch(url, { method: 'GET' });
    if (res.status !== 200) throw new Error(`raw fetch: HTTP ${res.status}`);
    await res.json();
  }
}

export const b4: Scenario = {
  name: 'B4',
  title: `http step vs raw undici fetch to a local keep-alive server (${NOOP_STEPS} sequential requests per run)`,
  async run(ctx) {
    const { runs, warmups } = runCounts(ctx);
    const dir = await mkdtemp(join(tmpdir(), 'tasker-bench-'));
    let target: JsonTarget | undefined;
    let api: TaskerApi | undefined;
    try {
      target = await startJsonTarget();
      api = await startTaskerApi({ TASKER_DB_URL: `sqlite:${join(dir, 'tasker.db')}` });
      const url = target.url;
      const runner = createHttpStepRunner();
      const tasker = api;
      await createTask(tasker, httpTaskDefinition(url));
      await createTask(tasker, noopTaskDefinition());
      const round = [
        () => runAndWait(tasker, HTTP_TASK, NOOP_STEPS),
        () => runAndWait(tasker, NOOP_TASK, NOOP_STEPS),
        () => rawFetches(url),
        () => runnerCalls(runner, url),
      ];
      for (let i = 0; i < warmups; i++) for (const fn of round) await fn();
      const samples: number[][] = round.map(() => []);
      for (let i = 0; i < runs; i++) {
        for (const [k, fn] of round.entries()) {
          const t0 = performance.now();
          await fn();
          samples[k]?.push(performance.now() - t0);
        }
      }
      const [http, noop, raw, direct] = samples.map((s) => summarize(s).p50 / NOOP_STEPS) as [number, number, number, number];
      const perStepMs = http - noop;
      return {
        metrics: { perStepMs, stepWallMs: http, noopStepWallMs: noop, rawFetchMs: raw, ratio: perStepMs / raw, ratioInclJournal: http / raw, runnerMs: direct, runnerRatio: direct / raw },
        notes: {
          method: `${runs} rounds after ${warmups} warm-ups; p50 per run / ${NOOP_STEPS}. perStepMs = (http task − no-op task) / ${NOOP_STEPS}: the request as an http step makes it; ratio = perStepMs / rawFetchMs; ratioInclJournal also counts engine, journal commit and API; runnerMs = the http step runner called directly (no engine, no journal), runnerRatio = runnerMs / rawFetchMs`,
        },
      };
    } finally {
      await api?.close().catch((err: unknown) => ctx.log(`   closing Tasker failed: ${String(err)}`));
      await target?.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
