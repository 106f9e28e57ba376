// GET /v1/executions/{id}/events on a real listening server, read with fetch:
// the snapshot, live step events in order, the end of the stream when the
// execution ends, disconnects and server close that leave no listener behind,
// and the store poll that serves executions another process drives.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createRuntime, type Runtime } from '../../main.js';
import { buildHttpServer } from './build-server.js';
import { startTempRuntime, type TempRuntime } from '../../../test/support/temp-runtime.js';
import { json as reply, startTargetServer, type TargetServer } from '../../../test/support/target-server.js';
import { openSse, type SseMessage, type SseReader } from '../../../test/support/sse-client.js';

let rt: TempRuntime | undefined;
let server: FastifyInstance | undefined;
let target: TargetServer | undefined;
const readers: SseReader[] = [];
const others: Runtime[] = [];

afterEach(async () => {
  for (const r of readers.splice(0)) r.abort();
  await server?.close();
  await target?.close();
  for (const o of others.splice(0)) await o.close();
  await rt?.cleanup();
  rt = server = target = undefined;
});

/** A runtime (its loops not started unless `start`) with the API listening on 127.0.0.1. */
async function setup(env: Record<string, string> = {}, start = false): Promise<{ runtime: Runtime; url: string }> {
  rt = await startTempRuntime(env, { start });
  server = await buildHttpServer(rt.runtime, { bodyLimitBytes: 1_048_576 });
  const address = await server.listen({ port: 0, host: '127.0.0.1' });
  return { runtime: rt.runtime, url: address };
}

async function follow(url: string): Promise<SseReader> {
  const reader = await openSse(url);
  readers.push(reader);
  return reader;
}

const data = (m: SseMessage | undefined) => JSON.parse(m?.data ?? 'null');
const listeners = (runtime: Runtime) =>
  runtime.events.listenerCount('step.started') + runtime.events.listenerCount('step.finished') + runtime.events.listenerCount('execution.finished');

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('following an execution live', () => {
  it('streams started, retrying, started, finished and execution.finished for a step that fails once, then closes', async () => {
    target = await startTargetServer((_req, res, index) => (index === 0 ? reply(res, 503, { busy: true }) : reply(res, 200, { ok: true })));
    const { runtime, url } = await setup();
    await runtime.tasker.createTask({
      name: 'flaky',
      steps: [{ id: 'call', type: 'http', params: { method: 'GET', url: `${target.url}/thing` }, retry: { maxAttempts: 3, backoff: 'fixed', delay: '200ms' } }],
    });
    const { execution } = await runtime.tasker.startExecution({ task: 'flaky' });
    const baseline = listeners(runtime);
    const reader = await follow(`${url}/v1/executions/${execution.id}/events`);
    expect(reader.response.status).toBe(200);
    expect(reader.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const [snapshot] = await reader.waitFor(1);
    expect(snapshot?.event).toBe('snapshot');
    expect(data(snapshot)).toMatchObject({ id: execution.id, status: 'queued', steps: [] });

    await runtime.start();
    await reader.closed;
    expect(reader.messages.map((m) => m.event)).toEqual([
      'snapshot', 'step.started', 'step.retrying', 'step.started', 'step.finished', 'execution.finished',
    ]);
    const [, started1, retrying, started2, finished, done] = reader.messages;
    expect(data(started1)).toEqual({ executionId: execution.id, stepId: 'call', path: 'call', attempt: 1, startedAt: expect.stringMatching(/Z$/) });
    expect(data(retrying)).toMatchObject({ stepId: 'call', attempt: 1, status: 'failed', error: { kind: 'http_5xx' }, willRetryAt: expect.stringMatching(/Z$/) });
    expect(Date.parse(data(retrying).willRetryAt)).toBeGreaterThanOrEqual(Date.parse(data(retrying).finishedAt));
    expect(data(started2)).toMatchObject({ attempt: 2 });
    expect(data(finished)).toMatchObject({ stepId: 'call', attempt: 2, status: 'succeeded', output: { status: 200, body: { ok: true } }, error: null });
    expect(data(done)).toMatchObject({ id: execution.id, status: 'succeeded', finishedAt: expect.stringMatching(/Z$/) });
    expect(target.requests).toHaveLength(2);
    await eventually(() => listeners(runtime) === baseline, 'the stream to unsubscribe');

    // A late subscriber gets the snapshot of what happened, and the stream closes at once.
    const late = await follow(`${url}/v1/executions/${execution.id}/events`);
    await late.closed;
    expect(late.messages.map((m) => m.event)).toEqual(['snapshot']);
    expect(data(late.messages[0])).toMatchObject({ status: 'succeeded', steps: [{ stepId: 'call', status: 'succeeded', attempts: 2 }] });
  });

  it('answers 404 as a problem document for an unknown execution', async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/v1/executions/nope/events`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await res.json()) as { code: string }).code).toBe('EXECUTION_NOT_FOUND');
  });

  it('stops listening when the client disconnects, and ends open streams when the server closes', async () => {
    const { runtime, url } = await setup({}, true);
    await runtime.tasker.createTask({ name: 'sleepy', steps: [{ id: 'nap', type: 'delay', params: { duration: '1h' } }] });
    const { execution } = await runtime.tasker.startExecution({ task: 'sleepy' });
    await eventually(async () => (await runtime.tasker.getExecution(execution.id)).status === 'waiting', 'the execution to wait');
    const baseline = listeners(runtime);

    const leaving = await follow(`${url}/v1/executions/${execution.id}/events`);
    const [snapshot] = await leaving.waitFor(1);
    expect(data(snapshot)).toMatchObject({ status: 'waiting', steps: [{ stepId: 'nap', status: 'running' }] });
    expect(listeners(runtime)).toBe(baseline + 3);
    leaving.abort();
    await eventually(() => listeners(runtime) === baseline, 'the listeners of a disconnected stream to go');

    const staying = await follow(`${url}/v1/executions/${execution.id}/events`);
    await staying.waitFor(1);
    await eventually(() => listeners(runtime) === baseline + 3, 'the second stream to subscribe');
    await server?.close();
    server = undefined;
    await staying.closed;
    await eventually(() => listeners(runtime) === baseline, 'the listeners of a stream ended by server close to go');
  });

  it('sees the steps of an execution another process drives, by polling the store', async () => {
    const { runtime, url } = await setup({ TASKER_ROLE: 'api' }, true);
    await runtime.tasker.createTask({ name: 'echo', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input }}' } }] });
    const { execution } = await runtime.tasker.startExecution({ task: 'echo', input: { n: 12345678901234567890n } });
    const reader = await follow(`${url}/v1/executions/${execution.id}/events`);
    await reader.waitFor(1);

    const worker = await createRuntime(loadConfig({ TASKER_DB_URL: rt?.dbUrl, TASKER_ROLE: 'worker', TASKER_LOG_LEVEL: 'silent' }));
    others.push(worker);
    await worker.start();
    await reader.closed;
    expect(reader.messages.map((m) => m.event)).toEqual(['snapshot', 'step.finished', 'execution.finished']);
    // Big integers pass through the stream digit for digit.
    expect(reader.messages[1]?.data).toContain('"output":{"n":12345678901234567890}');
    expect(data(reader.messages[2])).toMatchObject({ id: execution.id, status: 'succeeded' });
  });
});
