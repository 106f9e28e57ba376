// Error handling through the real worker: retries with back-off against a
// real server, onError continue/fallback, onFailure, timeouts, delays that
// survive a restart, and secrets that never reach the journal.
import { afterEach, describe, expect, it } from 'vitest';
import { runTaskToEnd } from '../support/run-task.js';
import { startTempRuntime, type TempRuntime } from '../support/temp-runtime.js';
import { json, startTargetServer, type TargetServer } from '../support/target-server.js';

let rt: TempRuntime | undefined;
let target: TargetServer | undefined;

afterEach(async () => {
  await rt?.cleanup();
  await target?.close();
  rt = undefined;
  target = undefined;
});

function runTask(definition: unknown, input: unknown = {}) {
  if (!rt) throw new Error('no runtime');
  return runTaskToEnd(rt.runtime, definition, input);
}

describe('retry with fixed back-off and onError continue', () => {
  const definition = (url: string) => ({
    name: 'flaky',
    steps: [
      { id: 'call', type: 'http', params: { url }, retry: { maxAttempts: 3, backoff: 'fixed', delay: '1s' }, onError: 'continue' },
      { id: 'after', type: 'transform', params: { value: '{{ steps.call.status }}' } },
    ],
  });

  it('against 503, 503, 200: makes exactly 3 requests about 1 s apart and the step succeeds', async () => {
    target = await startTargetServer((_req, res, i) => (i < 2 ? json(res, 503, { busy: true }) : json(res, 200, { ok: true })));
    rt = await startTempRuntime();
    const view = await runTask(definition(target.url));
    expect(target.requests).toHaveLength(3);
    const gaps = target.requests.slice(1).map((r, i) => r.at - (target?.requests[i]?.at ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThan(5000);
    }
    expect(view.status).toBe('succeeded');
    expect(view.output).toBe('succeeded');
    expect(view.steps.find((s) => s.stepId === 'call')).toMatchObject({ status: 'succeeded', attempts: 3, output: { status: 200, body: { ok: true } } });
  });

  it('against a server that always answers 503: exactly 3 requests, the third error is kept, the run goes on', async () => {
    target = await startTargetServer((_req, res) => json(res, 503, { busy: true }));
    rt = await startTempRuntime();
    const view = await runTask(definition(target.url));
    expect(target.requests).toHaveLength(3);
    expect(view.status).toBe('handled_failure');
    expect(view.output).toBe('failed');
    const call = view.steps.find((s) => s.stepId === 'call');
    expect(call).toMatchObject({ status: 'failed', attempts: 3, error: { kind: 'http_5xx' } });
    expect(view.steps.find((s) => s.stepId === 'after')?.status).toBe('succeeded');
  });

  it('sends the same Idempotency-Key on every attempt of a step', async () => {
    target = await startTargetServer((_req, res, i) => (i < 2 ? json(res, 503, {}) : json(res, 200, {})));
    rt = await startTempRuntime();
    await runTask(definition(target.url));
    const keys = new Set(target.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/.+:call$/);
  });
});

describe('fallback steps and onFailure', () => {
  it('runs the fallback with the error in context; its output stands for the step', async () => {
    target = await startTargetServer((req, res) => (req.url === '/primary' ? json(res, 500, { down: true }) : json(res, 200, { from: 'backup' })));
    rt = await startTempRuntime();
    const view = await runTask({
      name: 'with-fallback',
      steps: [
        {
          id: 'primary',
          type: 'http',
          params: { url: `${target.url}/primary` },
          onError: [{ id: 'backup', type: 'http', params: { url: `${target.url}/backup?why={{ error.kind }}` } }],
        },
        { id: 'use', type: 'transform', params: { value: '{{ steps.primary.output.body.from }}' } },
      ],
    });
    expect(view.status).toBe('handled_failure');
    expect(view.output).toBe('backup');
    expect(target.requests.map((r) => r.url)).toEqual(['/primary', '/backup?why=http_5xx']);
  });

  it('runs onFailure once with the error, and the execution still fails', async () => {
    target = await startTargetServer((_req, res) => json(res, 200, {}));
    rt = await startTempRuntime();
    const view = await runTask({
      name: 'fails',
      steps: [{ id: 'boom', type: 'fail', params: { message: 'nope {{ input.n }}' } }],
      onFailure: [{ id: 'alert', type: 'http', params: { method: 'POST', url: `${target.url}/alerts`, body: '{{ error }}' } }],
    }, { n: 7 });
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ kind: 'fail', stepId: 'boom', message: 'nope 7' });
    expect(target.requests).toHaveLength(1);
    expect(JSON.parse(target.requests[0]?.body ?? '{}')).toMatchObject({ kind: 'fail', message: 'nope 7', stepId: 'boom' });
  });
});

describe('timeouts', () => {
  it('fails the attempt with kind timeout at about the deadline and closes the socket', async () => {
    let closed = 0;
    target = await startTargetServer((req, res) => {
      res.on('close', () => closed++);
      void req;
    });
    rt = await startTempRuntime();
    const started = Date.now();
    const view = await runTask({ name: 'slow', steps: [{ id: 'call', type: 'http', params: { url: target.url }, timeout: '1s' }] });
    const took = Date.now() - started;
    expect(view.status).toBe('failed');
    expect(view.error?.kind).toBe('timeout');
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(8000);
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(1);
  });
});

describe('conditions, delays and secrets', () => {
  it('skips a step whose if is false', async () => {
    rt = await startTempRuntime();
    const view = await runTask({
      name: 'cond',
      steps: [
        { id: 'a', type: 'transform', params: { value: 5 } },
        { id: 'b', type: 'transform', if: '{{ steps.a.output > 10 }}', params: { value: 'big' } },
        { id: 'c', type: 'transform', params: { value: '{{ steps.b.status }}' } },
      ],
    });
    expect(view.status).toBe('succeeded');
    expect(view.output).toBe('skipped');
  });

  it('resumes a delay after a restart without waiting again from the start', async () => {
    rt = await startTempRuntime();
    const task = await rt.runtime.tasker.createTask({
      name: 'sleepy',
      steps: [
        { id: 'pause', type: 'delay', params: { duration: '1500ms' } },
        { id: 'done', type: 'transform', params: { value: '{{ steps.pause.output.waitedMs }}' } },
      ],
    });
    const { execution } = await rt.runtime.tasker.startExecution({ task: task.id });
    const waiting = await rt.runtime.tasker.waitForExecution(execution.id, 300);
    expect(waiting.status).toBe('waiting');
    await rt.restart();
    const view = await rt.runtime.tasker.waitForExecution(execution.id, 10_000);
    expect(view.status).toBe('succeeded');
    expect(view.output).toBe(1500);
  });

  it('never stores a secret value in clear', async () => {
    target = await startTargetServer((req, res) => json(res, 200, { echoed: req.headers['authorization'] }));
    rt = await startTempRuntime({ TASKER_SECRET_API_TOKEN: 's3cr3t-value' });
    const view = await runTask({
      name: 'secretive',
      steps: [{ id: 'call', type: 'http', params: { url: target.url, headers: { Authorization: 'Bearer {{ secrets.API_TOKEN }}' } } }],
    });
    expect(target.requests[0]?.headers['authorization']).toBe('Bearer s3cr3t-value');
    expect(JSON.stringify(view)).not.toContain('s3cr3t-value');
    expect(view.steps[0]?.output).toMatchObject({ body: { echoed: 'Bearer [secret]' } });
  });
});
