// kill -9 of workers in the middle of HTTP steps: 50 executions, each one
// 3 s HTTP call to a target that records every request, run by two
// `--role worker` processes on MariaDB + Redis with a 2 s lease. A worker is
// killed 20 times over the batch, each time while it holds a request open to
// the target (seen through /proc), and restarted. Every execution must end
// `succeeded`, none lost, and a repeated request must carry the same
// Idempotency-Key as the first. Prints how long recovery took. Two slots per
// worker keep the batch (about 40 s of work) longer than the 20 kills.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPortsTo } from '../../support/process-sockets.js';
import { countByStatus, expectJson, listAllExecutions, TaskerCluster, waitFor } from '../../support/production-cluster.js';
import { json, startTargetServer, type RecordedRequest, type TargetServer } from '../../support/target-server.js';

const EXECUTIONS = 50;
const KILLS = 20;
const STEP_MS = 3_000;

let cluster: TaskerCluster | undefined;
let target: TargetServer | undefined;

beforeAll(async () => {
  target = await startTargetServer((req, res) => {
    setTimeout(() => json(res, 200, { ok: true }), STEP_MS);
  });
  cluster = await TaskerCluster.create({ env: { TASKER_LEASE: '2s', TASKER_WORKER_CONCURRENCY: '2', TASKER_SHUTDOWN_GRACE: '1s' } });
});

afterAll(async () => {
  await cluster?.close();
  await target?.close();
});

const executionOf = (r: RecordedRequest): string => new URL(r.url, 'http://x').searchParams.get('e') ?? '';

function quantiles(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `min ${sorted[0]} ms, median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${sorted.at(-1)} ms (n=${sorted.length})`;
}

describe('20 kill -9 of workers in the middle of 3 s HTTP steps over a batch of 50', () => {
  it('finishes every execution, loses none, and repeats requests only with the same Idempotency-Key', async ({ onTestFailed }) => {
    const c = cluster as TaskerCluster;
    const t = target as TargetServer;
    onTestFailed(() => console.error(c.report()));
    await Promise.all([c.start('api'), c.start('worker'), c.start('worker')]);
    const api = c.apiUrl();
    await expectJson(201, `${api}/v1/tasks`, {
      body: { name: 'slow-call', steps: [{ id: 'call', type: 'http', params: { method: 'POST', url: `${t.url}/slow?e={{ execution.id }}`, body: { n: '{{ input.n }}' } } }] },
    });

    const batchStart = Date.now();
    const started = await Promise.all(
      Array.from({ length: EXECUTIONS }, (_, n) => expectJson<{ id: string }>(202, `${api}/v1/tasks/slow-call/executions`, { body: { input: { n } } })),
    );
    const ids = new Set(started.map((e) => e.id));

    // Kill a worker while it holds a request open that is well inside its 3 s
    // (so it is still open when the kill lands): the two in turn, or the other
    // one when the turn's worker has none open yet. The victim is restarted
    // before the next kill (restarting in the background, so both are often
    // down at once, made the run slower, not faster).
    const kills: Array<{ at: number; victim: string; interrupted: RecordedRequest[]; queued: number }> = [];
    const openRequests = async (name: string): Promise<RecordedRequest[]> => {
      const ports = await localPortsTo(c.member(name).proc.child.pid ?? 0, t.port);
      const now = Date.now();
      return t.inFlight().filter((r) => ports.has(r.remotePort) && now - r.at >= 300 && now - r.at <= STEP_MS - 1_000);
    };
    for (let i = 0; i < KILLS; i++) {
      const order = i % 2 === 0 ? ['worker1', 'worker2'] : ['worker2', 'worker1'];
      const [victim, open] = await waitFor(`a worker to hold a request open to the target (kill ${i + 1} of ${KILLS})`, async () => {
        for (const name of order) {
          const mine = await openRequests(name);
          if (mine.length > 0) return [name, mine] as const;
        }
        return undefined;
      }, 60_000, 50);
      await c.kill(victim);
      const at = Date.now();
      // How many executions wait for a slot: a re-run queues behind them.
      const queued = (await listAllExecutions(api, 'task=slow-call&status=queued')).length;
      kills.push({ at, victim, interrupted: open, queued });
      await c.restart(victim);
    }
    const killsDoneAt = Date.now();

    const executions = await waitFor('every execution to finish', async () => {
      const all = await listAllExecutions(api, 'task=slow-call');
      return all.length === EXECUTIONS && all.every((e) => !['queued', 'running', 'waiting'].includes(e.status)) ? all : undefined;
    }, 180_000, 500).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(countByStatus(await listAllExecutions(api, 'task=slow-call')))}`);
    });
    const batchMs = Date.now() - batchStart;

    expect(countByStatus(executions)).toEqual({ succeeded: EXECUTIONS });
    expect(new Set(executions.map((e) => e.id))).toEqual(ids);

    // Every kill interrupted a request: the target saw the connection drop before it answered.
    for (const kill of kills) expect(kill.interrupted.some((r) => r.aborted === true)).toBe(true);

    const byExecution = new Map<string, RecordedRequest[]>();
    for (const r of t.requests) byExecution.set(executionOf(r), [...(byExecution.get(executionOf(r)) ?? []), r]);
    expect(new Set(byExecution.keys())).toEqual(ids);
    const repeated = [...byExecution.values()].filter((list) => list.length > 1);
    for (const list of byExecution.values()) {
      const first = list[0]?.headers['idempotency-key'];
      expect(first).toMatch(/\S/);
      for (const r of list) expect(r.headers['idempotency-key']).toBe(first);
    }

    // Recovery: for every request a kill cut (the victim's other open requests
    // too), from that kill to the execution's next request; apart, the kills
    // with no execution queued (a re-run then waits behind nobody).
    const killOf = (r: RecordedRequest) => kills.reduce((best, k) => (Math.abs(k.at - (r.endedAt ?? 0)) < Math.abs(best.at - (r.endedAt ?? 0)) ? k : best));
    const cut = t.requests.filter((r) => r.aborted === true);
    const recoveries: number[] = [];
    const idleRecoveries: number[] = [];
    for (const r of cut) {
      const kill = killOf(r);
      const next = (byExecution.get(executionOf(r)) ?? []).find((x) => x.at > r.at);
      // Every cut request was sent again (its execution succeeded, and only the target's answer ends a step).
      expect(next, `the request of execution ${executionOf(r)} cut at ${r.endedAt} was never sent again`).toBeDefined();
      recoveries.push((next?.at ?? 0) - kill.at);
      if (kill.queued === 0) idleRecoveries.push((next?.at ?? 0) - kill.at);
    }
    const extra = t.requests.length - EXECUTIONS;
    console.info(
      `[worker-kill] ${KILLS} kills in ${killsDoneAt - (kills[0]?.at ?? 0)} ms cut ${cut.length} requests; `
      + `${t.requests.length} requests for ${EXECUTIONS} executions: ${extra} extra (${cut.length} re-sends of cut requests, `
      + `${extra - cut.length} of requests answered but not committed before the kill), over ${repeated.length} executions, `
      + `every one with the same Idempotency-Key as the first; kill -> request sent again: ${quantiles(recoveries)}; `
      + `when nothing was queued: ${quantiles(idleRecoveries)}; batch took ${batchMs} ms (the last kill ${killsDoneAt - batchStart} ms in)`,
    );
  }, 300_000);
});
