// MariaDB crashes (SIGKILL) while an execution is in the middle of an HTTP
// step, and comes back on the same data: while it is down the API answers
// 503 problem+json UNAVAILABLE (never 500) and /readyz says 503; once it is
// back, the API and the worker recover by themselves (no restart of tasker),
// a new execution succeeds and so does the interrupted one. Runs its own
// mariadbd on a temp data directory so the machine's server is untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateMariadb, type PrivateServer } from '../../support/private-servers.js';
import { createE2eDatabase, expectJson, requestJson, TaskerCluster, waitFor, type E2eDatabase } from '../../support/production-cluster.js';
import { json, startTargetServer, type TargetServer } from '../../support/target-server.js';

let mariadb: PrivateServer | undefined;
let database: E2eDatabase | undefined;
let cluster: TaskerCluster | undefined;
let target: TargetServer | undefined;

beforeAll(async () => {
  target = await startTargetServer((req, res) => {
    const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => json(res, 200, { ok: true }), ms);
  });
  mariadb = await startPrivateMariadb();
  database = await createE2eDatabase(mariadb.url);
  cluster = await TaskerCluster.create({ dbUrl: database.url, env: { TASKER_LEASE: '2s' } });
});

afterAll(async () => {
  await cluster?.close();
  await mariadb?.close();
  await target?.close();
});

interface Problem {
  status: number;
  code: string;
}

describe('MariaDB restarted in the middle of a run', () => {
  it('answers 503 UNAVAILABLE while it is down, then recovers by itself', async ({ onTestFailed }) => {
    const c = cluster as TaskerCluster;
    const db = mariadb as PrivateServer;
    const t = target as TargetServer;
    onTestFailed(() => console.error(`${c.report()}\n${db.output()}`));
    await Promise.all([c.start('api'), c.start('worker')]);
    const api = c.apiUrl();
    await expectJson(201, `${api}/v1/tasks`, {
      body: { name: 'call', steps: [{ id: 'call', type: 'http', params: { url: `${t.url}/work?ms={{ input.ms }}&e={{ execution.id }}` } }] },
    });
    await expectJson(200, `${api}/readyz`);

    // An execution in the middle of a 2 s HTTP step when the database dies.
    const inFlight = await expectJson<{ id: string }>(202, `${api}/v1/tasks/call/executions`, { body: { input: { ms: 2_000 } } });
    await waitFor('the step to reach the target', async () => (t.inFlight().some((r) => r.url.includes(inFlight.id)) ? true : undefined), 20_000, 20);
    await db.stop('SIGKILL');
    const downAt = Date.now();

    const probes: Array<[string, () => Promise<{ status: number; headers: Headers; body: unknown }>]> = [
      ['GET /readyz', () => requestJson(`${api}/readyz`)],
      ['GET /v1/tasks', () => requestJson(`${api}/v1/tasks`)],
      ['GET /v1/tasks/call', () => requestJson(`${api}/v1/tasks/call`)],
      ['GET /v1/executions/{id}', () => requestJson(`${api}/v1/executions/${inFlight.id}`)],
      ['POST /v1/tasks/call/executions', () => requestJson(`${api}/v1/tasks/call/executions`, { body: { input: { ms: 0 } } })],
    ];
    // Twice: the first requests find the pool's dead connections, the next ones a refused port.
    for (let round = 0; round < 2; round++) {
      for (const [label, probe] of probes) {
        const res = await probe();
        expect({ label, status: res.status, type: res.headers.get('content-type'), code: (res.body as Problem).code })
          .toEqual({ label, status: 503, type: expect.stringContaining('application/problem+json'), code: 'UNAVAILABLE' });
      }
    }
    // Let the interrupted step finish and fail to commit while the database is still down.
    await waitFor('the in-flight request to end', async () => (t.inFlight().length === 0 ? true : undefined), 10_000, 50);

    await db.start();
    const backAt = Date.now();
    await waitFor('/readyz to answer 200 again', async () => ((await requestJson(`${api}/readyz`)).status === 200 ? true : undefined), 60_000, 100);
    const readyAt = Date.now();

    const fresh = await expectJson<{ status: string; output: { status: number } }>(200, `${api}/v1/tasks/call/executions?wait=30s`, { body: { input: { ms: 0 } } });
    expect(fresh).toMatchObject({ status: 'succeeded', output: { status: 200 } });
    const resumed = await waitFor('the interrupted execution to finish', async () => {
      const e = await expectJson<{ status: string }>(200, `${api}/v1/executions/${inFlight.id}`);
      return ['queued', 'running', 'waiting'].includes(e.status) ? undefined : e;
    }, 60_000, 250);
    const resumedAt = Date.now();
    expect(resumed).toMatchObject({ status: 'succeeded' });
    const sent = t.requests.filter((r) => r.url.includes(inFlight.id));
    expect(new Set(sent.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    console.info(
      `[mariadb-restart] down ${backAt - downAt} ms; /readyz 200 ${readyAt - backAt} ms after mariadbd was back; `
      + `interrupted execution succeeded ${resumedAt - backAt} ms after (its request sent ${sent.length} times)`,
    );
  }, 120_000);
});
