// kill -9 in the middle of a loop: the real `tasker` binary runs a foreach of
// 200 HTTP calls (8 at a time) against a server in this test; it is killed
// with SIGKILL part-way, restarted on the same database, and must finish
// without repeating the iterations it had committed. At most the calls in
// flight at the kill are sent again, with the same Idempotency-Key.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTasker, type Proc } from '../support/processes.js';
import { json, startTargetServer, type TargetServer } from '../support/target-server.js';

let dir: string;
let target: TargetServer;
let tasker: { proc: Proc; url: string } | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tasker-crash-'));
  target = await startTargetServer((req, res) => {
    const n = Number(new URL(req.url, 'http://x').searchParams.get('n'));
    setTimeout(() => json(res, 200, { n }), 40);
  });
});

afterAll(async () => {
  await tasker?.proc.stop('SIGKILL');
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kill -9 in the middle of a foreach', () => {
  it('resumes from the journal: every item done, committed iterations not repeated', async () => {
    const env = { TASKER_DB_URL: `sqlite:${join(dir, 'tasker.db')}`, TASKER_LEASE: '2s' };
    tasker = await startTasker(env);
    const post = async (path: string, body: unknown) =>
      (await fetch(`${tasker?.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ id: string }>;
    await post('/v1/tasks', {
      name: 'many-calls',
      steps: [
        {
          id: 'each',
          type: 'foreach',
          items: '{{ [1..200] }}',
          concurrency: 8,
          steps: [{ id: 'call', type: 'http', params: { url: `${target.url}/item?n={{ item }}` } }],
        },
      ],
    });
    const execution = await post('/v1/tasks/many-calls/executions', {});
    while (target.requests.length < 60) await new Promise((r) => setTimeout(r, 20));
    await tasker.proc.stop('SIGKILL');
    const atKill = target.requests.length;

    tasker = await startTasker(env);
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = ((await (await fetch(`${tasker.url}/v1/executions/${execution.id}`)).json()) as { status: string }).status;
      if (status === 'succeeded' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe('succeeded');

    const byItem = new Map<string, string[]>();
    for (const r of target.requests) {
      const n = new URL(r.url, 'http://x').searchParams.get('n') ?? '';
      byItem.set(n, [...(byItem.get(n) ?? []), String(r.headers['idempotency-key'])]);
    }
    expect(byItem.size).toBe(200);
    const repeated = [...byItem.values()].filter((keys) => keys.length > 1);
    // Only calls in flight when the process died (at most the concurrency) may repeat.
    expect(repeated.length).toBeLessThanOrEqual(8);
    expect(target.requests.length).toBe(200 + repeated.length);
    expect(atKill).toBeLessThan(200);
    for (const keys of repeated) expect(new Set(keys).size).toBe(1);
  }, 90_000);
});
