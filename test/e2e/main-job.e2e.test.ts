// The main job end to end, as a user meets it: the real `tasker` binary and
// json-server (a REST API nobody here wrote) as separate processes, driven
// over HTTP. A scheduled task reads records, transforms them, writes results
// back to the API and to storage, and posts an alert when it fails.
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, startJsonServer, startTasker, type Proc } from '../support/processes.js';

let dir: string;
let api: { proc: Proc; url: string };
let tasker: { proc: Proc; url: string };
let env: Record<string, string>;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${tasker.url}${path}`, {
    method,
    headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, contentType: res.headers.get('content-type') };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${tasker.proc.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tasker-e2e-'));
  await copyFile(join(ROOT, 'examples', 'db.json'), join(dir, 'db.json'));
  api = await startJsonServer(join(dir, 'db.json'));
  env = { TASKER_DB_URL: `sqlite:${join(dir, 'tasker.db')}` };
  tasker = await startTasker(env);
}, 60_000);

afterAll(async () => {
  await tasker?.proc.stop();
  await api?.proc.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the main job against json-server', () => {
  it('creates the README example task from YAML', async () => {
    const yaml = await readFile(join(ROOT, 'examples', 'sync-posts.yaml'), 'utf8');
    const created = await call('POST', '/v1/tasks', yaml, { 'content-type': 'application/yaml' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'sync-posts', version: 1 });
  });

  it('runs it by hand: every step recorded, results in the API and in storage', async () => {
    const run = await call('POST', '/v1/tasks/sync-posts/executions?wait=20s', { input: { api: api.url } });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('succeeded');
    expect(run.body.steps.map((s: { stepId: string; status: string }) => `${s.stepId}:${s.status}`)).toEqual([
      'fetch:succeeded',
      'digest:succeeded',
      'publish:succeeded',
      'remember:succeeded',
    ]);
    expect(run.body.steps[1].output).toMatchObject({ count: 2, titles: ['HELLO TASKER', 'CRON IN ANY ZONE'] });
    const digests = (await (await fetch(`${api.url}/digests`)).json()) as { count: number }[];
    expect(digests).toHaveLength(1);
    expect(digests[0]?.count).toBe(2);
    const stored = await call('GET', '/v1/storage/sync-posts/last-post-id');
    expect(stored.body).toMatchObject({ namespace: 'sync-posts', key: 'last-post-id', value: 3 });
  });

  it('runs it on a cron schedule, once per fire instant', async () => {
    const schedule = await call('POST', '/v1/schedules', { taskId: 'sync-posts', cron: '* * * * * *', input: { api: api.url } });
    expect(schedule.status).toBe(201);
    const id = schedule.body.id as string;
    const finished = await waitFor('two scheduled runs', async () => {
      const list = await call('GET', `/v1/executions?schedule=${id}&status=succeeded`);
      return list.body.items.length >= 2 ? list.body.items : undefined;
    });
    await call('POST', `/v1/schedules/${id}/pause`);
    for (const e of finished) {
      expect(e.trigger).toBe('schedule');
      expect(e.scheduledFor).toMatch(/\.000Z$/);
    }
    const instants = finished.map((e: { scheduledFor: string }) => e.scheduledFor);
    expect(new Set(instants).size).toBe(instants.length);
  });

  it('posts an alert to the API when the task fails', async () => {
    const definition = parseYaml(await readFile(join(ROOT, 'examples', 'sync-posts.yaml'), 'utf8'));
    definition.name = 'sync-posts-broken';
    definition.steps[0].params.url = '{{ input.api }}/no-such-collection';
    expect((await call('POST', '/v1/tasks', definition)).status).toBe(201);
    const run = await call('POST', '/v1/tasks/sync-posts-broken/executions?wait=20s', { input: { api: api.url } });
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatchObject({ kind: 'http_4xx', stepId: 'fetch' });
    const alerts = (await (await fetch(`${api.url}/alerts`)).json()) as { execution: string; error: { kind: string } }[];
    expect(alerts.some((a) => a.execution === run.body.id && a.error.kind === 'http_4xx')).toBe(true);
  });

  it('runs the loop-and-branch example: each post checked, the uncommented one flagged on the API', async () => {
    const yaml = await readFile(join(ROOT, 'examples', 'triage-posts.yaml'), 'utf8');
    expect((await call('POST', '/v1/tasks', yaml, { 'content-type': 'application/yaml' })).status).toBe(201);
    const run = await call('POST', '/v1/tasks/triage-posts/executions?wait=20s', { input: { api: api.url } });
    expect(run.body.status).toBe('succeeded');
    expect(run.body.output).toEqual({
      flagged: [2],
      results: [
        { post: 1, action: 'none', comments: 1 },
        { post: 2, action: 'flagged' },
        { post: 3, action: 'none', comments: 2 },
      ],
    });
    const post2 = (await (await fetch(`${api.url}/posts/2`)).json()) as { needsAttention?: boolean };
    expect(post2.needsAttention).toBe(true);
    const paths = run.body.steps.map((s: { path: string }) => s.path);
    expect(paths).toEqual(expect.arrayContaining(['each/0/comments', 'each/1/route/0/flag', 'each/2/route/default/fine', 'each', 'summary']));
  });

  it('answers bad input with a problem listing every mistake', async () => {
    const res = await call('POST', '/v1/tasks', { name: 'bad name!', steps: [{ id: 'a', type: 'nope', params: {} }, { id: 'a', type: 'http', params: {}, timeout: 'soon' }] });
    expect(res.status).toBe(422);
    expect(res.contentType).toContain('application/problem+json');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/name', '/steps/0/type', '/steps/1/id', '/steps/1/timeout', '/steps/1/params/url']));
  });

  it('finishes an execution interrupted by kill -9, from its journal', async () => {
    const created = await call('POST', '/v1/tasks', {
      name: 'slow-digest',
      steps: [
        { id: 'first', type: 'http', params: { method: 'POST', url: `${api.url}/digests`, body: { marker: 'before-crash' } } },
        { id: 'pause', type: 'delay', params: { duration: '2s' } },
        { id: 'second', type: 'http', params: { method: 'POST', url: `${api.url}/digests`, body: { marker: 'after-crash' } } },
      ],
    });
    expect(created.status).toBe(201);
    const started = await call('POST', '/v1/tasks/slow-digest/executions', {});
    expect(started.status).toBe(202);
    await waitFor('the delay to start', async () => ((await call('GET', `/v1/executions/${started.body.id}`)).body.status === 'waiting' ? true : undefined));
    await tasker.proc.stop('SIGKILL');
    tasker = await startTasker(env);
    const done = await waitFor('the resumed execution', async () => {
      const e = await call('GET', `/v1/executions/${started.body.id}`);
      return e.body.status === 'succeeded' ? e.body : undefined;
    });
    expect(done.steps.map((s: { stepId: string }) => s.stepId)).toEqual(['first', 'pause', 'second']);
    const digests = (await (await fetch(`${api.url}/digests`)).json()) as { marker?: string }[];
    expect(digests.filter((d) => d.marker === 'before-crash')).toHaveLength(1);
    expect(digests.filter((d) => d.marker === 'after-crash')).toHaveLength(1);
  });
});
