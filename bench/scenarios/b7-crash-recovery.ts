// B7: kill -9 of the real `tasker serve` (SQLite) with 100 executions in
// flight, each inside an http step to a local server that holds the request
// open; restart on the same database; then count the executions that do not
// all end succeeded (lost; must be 0) and the time from the restart's spawn
// until all have finished. After the restart the server answers in 100 ms.
// Default settings except TASKER_WORKER_CONCURRENCY=100 (so 100 run at once).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, startTargetServer, type TargetServer } from '../../test/support/target-server.js';
import { apiJson, spawnServe } from '../lib/b357-serve.js';
import type { Scenario } from '../lib/scenario.js';

const EXECUTIONS = 100;
const ANSWER_AFTER_RESTART_MS = 100;
const RECOVERY_TIMEOUT_MS = 60_000;

interface Summary {
  id: string;
  status: string;
}

async function untilTrue(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const b7CrashRecovery: Scenario = {
  name: 'B7',
  title: 'kill -9 with 100 executions in flight, restart: lost executions and recovery time (tasker serve, SQLite)',
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'tasker-b7-'));
    const env = { TASKER_DB_URL: `sqlite:${join(dir, 'tasker.db')}`, TASKER_WORKER_CONCURRENCY: String(EXECUTIONS) };
    let holding = true;
    let target: TargetServer | undefined;
    let serve: Awaited<ReturnType<typeof spawnServe>> | undefined;
    try {
      // Before the kill the server never answers, so every execution is inside its step.
      target = await startTargetServer((_req, res) => {
        if (!holding) setTimeout(() => json(res, 200, { ok: true }), ANSWER_AFTER_RESTART_MS);
      });
      const server = target;
      serve = await spawnServe(env);
      await apiJson(`${serve.url}/v1/tasks`, {
        name: 'b7-call',
        steps: [
          { id: 'call', type: 'http', params: { url: `${server.url}/slow` } },
          { id: 'after', type: 'transform', params: { value: '{{ steps.call.output.status }}' } },
        ],
      });
      const ids: string[] = [];
      for (let i = 0; i < EXECUTIONS; i++) ids.push((await apiJson<Summary>(`${serve.url}/v1/tasks/b7-call/executions`, {}, 202)).id);
      await untilTrue(`${EXECUTIONS} requests in flight`, () => server.inFlight().length >= EXECUTIONS, 30_000);
      const inFlightAtKill = server.inFlight().length;
      await serve.proc.stop('SIGKILL');
      holding = false;
      ctx.log(`   killed with ${inFlightAtKill} calls in flight`);

      serve = await spawnServe(env);
      const restarted = serve;
      let statuses: Summary[] = [];
      const finished = () => statuses.filter((s) => s.status !== 'queued' && s.status !== 'running' && s.status !== 'waiting').length;
      await untilTrue('every execution to finish', async () => {
        statuses = (await apiJson<{ items: Summary[] }>(`${restarted.url}/v1/executions?task=b7-call&limit=500`)).items;
        return finished() >= EXECUTIONS;
      }, RECOVERY_TIMEOUT_MS).catch(() => undefined);
      const recoveryMs = performance.now() - restarted.spawnedAt;
      const succeeded = statuses.filter((s) => ids.includes(s.id) && s.status === 'succeeded').length;
      return {
        metrics: {
          lost: EXECUTIONS - succeeded,
          inFlightAtKill,
          recoveryMs,
          restartStartupMs: restarted.startupMs,
          targetRequests: server.requests.length,
        },
        notes: { method: 'real tasker serve (bin/tasker.js), SQLite, default lease; http steps held open until the kill -9; recovery = restart spawn to all finished (polled every 10 ms)' },
      };
    } finally {
      await serve?.proc.stop('SIGKILL');
      await target?.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
