// Control flow through the real worker and a real HTTP server: foreach with
// bounded concurrency, parallel branches, switch, sub-tasks (with cycles and
// waits), and the task-level timeout.
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

describe('foreach', () => {
  it('runs 200 items with never more than 8 requests in flight, outputs in item order', async () => {
    let inFlight = 0;
    let peak = 0;
    target = await startTargetServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const n = Number(new URL(req.url, 'http://x').searchParams.get('n'));
      setTimeout(() => {
        inFlight--;
        json(res, 200, { n, square: n * n });
      }, 5 + (n % 7) * 3);
    });
    rt = await startTempRuntime();
    const view = await runTask({
      name: 'squares',
      steps: [
        { id: 'numbers', type: 'transform', params: { value: '{{ [0..199] }}' } },
        {
          id: 'each',
          type: 'foreach',
          items: '{{ steps.numbers.output }}',
          concurrency: 8,
          steps: [
            { id: 'call', type: 'http', params: { url: `${target.url}/square?n={{ item }}` } },
            { id: 'pick', type: 'transform', params: { value: '{{ steps.call.output.body.square }}' } },
          ],
        },
        { id: 'third', type: 'transform', params: { value: '{{ steps.each.output[3] }}' } },
      ],
    });
    expect(view.status).toBe('succeeded');
    expect(target.requests).toHaveLength(200);
    expect(peak).toBeLessThanOrEqual(8);
    expect(peak).toBeGreaterThan(1);
    const each = view.steps.find((s) => s.path === 'each');
    expect(each?.output).toEqual(Array.from({ length: 200 }, (_, i) => i * i));
    expect(view.output).toBe(9);
    expect(view.steps.filter((s) => s.path.startsWith('each/') && s.stepId === 'call')).toHaveLength(200);
  });

  it('fails with the inner step named when an iteration fails, and onError of the loop applies', async () => {
    target = await startTargetServer((req, res) => (req.url.includes('n=2') ? json(res, 500, { no: 2 }) : json(res, 200, {})));
    rt = await startTempRuntime();
    const view = await runTask({
      name: 'loop-fails',
      steps: [
        {
          id: 'each',
          type: 'foreach',
          items: [1, 2, 3],
          steps: [{ id: 'call', type: 'http', params: { url: `${target.url}/?n={{ item }}` } }],
          onError: [{ id: 'note', type: 'transform', params: { value: '{{ error.stepId & ": " & error.kind }}' } }],
        },
      ],
    });
    expect(view.status).toBe('handled_failure');
    expect(view.output).toBe('call: http_5xx');
    expect(target.requests.map((r) => r.url)).toEqual(['/?n=1', '/?n=2']);
  });

  it('refuses items that are not a list with a clear error', async () => {
    rt = await startTempRuntime();
    const view = await runTask({ name: 'not-a-list', steps: [{ id: 'each', type: 'foreach', items: '{{ input }}', steps: [{ id: 'x', type: 'log', params: { message: 'hi' } }] }] }, { a: 1 });
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ kind: 'expression', stepId: 'each' });
    expect(view.error?.message).toContain('expected a list');
  });
});

describe('parallel and switch', () => {
  it('runs branches at the same time and collects their outputs in order', async () => {
    let inFlight = 0;
    let peak = 0;
    target = await startTargetServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, { path: req.url });
      }, 150);
    });
    rt = await startTempRuntime();
    const view = await runTask({
      name: 'fan-out',
      steps: [
        {
          id: 'both',
          type: 'parallel',
          branches: [
            [{ id: 'users', type: 'http', params: { url: `${target.url}/users` } }, { id: 'u', type: 'transform', params: { value: '{{ steps.users.output.body.path }}' } }],
            [{ id: 'orders', type: 'http', params: { url: `${target.url}/orders` } }],
          ],
        },
        { id: 'sum', type: 'transform', params: { value: '{{ steps.both.output[0] & "+" & steps.both.output[1].body.path }}' } },
      ],
    });
    expect(view.status).toBe('succeeded');
    expect(view.output).toBe('/users+/orders');
    expect(peak).toBe(2);
  });

  it('takes the first matching case, else the default', async () => {
    rt = await startTempRuntime();
    const definition = (n: number) => ({
      name: `route-${n}`,
      steps: [
        {
          id: 'route',
          type: 'switch',
          cases: [
            { when: `{{ ${n} > 10 }}`, steps: [{ id: 'big', type: 'transform', params: { value: 'big' } }] },
            { when: `{{ ${n} > 5 }}`, steps: [{ id: 'medium', type: 'transform', params: { value: 'medium' } }] },
          ],
          default: [{ id: 'small', type: 'transform', params: { value: 'small' } }],
        },
      ],
    });
    expect((await runTask(definition(20))).output).toBe('big');
    expect((await runTask(definition(7))).output).toBe('medium');
    expect((await runTask(definition(1))).output).toBe('small');
  });
});

describe('sub-tasks', () => {
  it("runs another task and uses its output; a waiting child frees the parent's worker", async () => {
    rt = await startTempRuntime();
    await rt.runtime.tasker.createTask({
      name: 'child',
      input: { type: 'object', properties: { n: { type: 'integer' } } },
      steps: [
        { id: 'nap', type: 'delay', params: { duration: '300ms' } },
        { id: 'double', type: 'transform', params: { value: '{{ input.n * 2 }}' } },
      ],
    });
    const view = await runTask({
      name: 'parent',
      steps: [
        { id: 'call', type: 'task', params: { task: 'child', input: { n: 21 } } },
        { id: 'use', type: 'transform', params: { value: '{{ steps.call.output + 0 }}' } },
      ],
    });
    expect(view.status).toBe('succeeded');
    expect(view.output).toBe(42);
    const children = await rt.runtime.tasker.listExecutions({ task: 'child' });
    expect(children.items).toHaveLength(1);
    expect(children.items[0]).toMatchObject({ trigger: 'subtask', status: 'succeeded' });
  });

  it('wakes the parent at once when its child is canceled; the task step fails', async () => {
    rt = await startTempRuntime();
    const { tasker } = rt.runtime;
    await tasker.createTask({ name: 'sleepy-child', steps: [{ id: 'nap', type: 'delay', params: { duration: '1h' } }] });
    await tasker.createTask({ name: 'waiting-parent', steps: [{ id: 'call', type: 'task', params: { task: 'sleepy-child' } }] });
    const { execution } = await tasker.startExecution({ task: 'waiting-parent' });
    let child: string | undefined;
    for (let i = 0; i < 100 && !child; i++) {
      child = (await tasker.listExecutions({ task: 'sleepy-child' })).items.find((e) => e.status === 'waiting')?.id;
      if (!child) await new Promise((r) => setTimeout(r, 20));
    }
    await tasker.cancelExecution(child as string);
    const parent = await tasker.waitForExecution(execution.id, 5000);
    expect(parent.status).toBe('failed');
    expect(parent.error).toMatchObject({ kind: 'subtask', stepId: 'call' });
  });

  it('refuses a cycle with the chain in the message', async () => {
    rt = await startTempRuntime();
    await rt.runtime.tasker.createTask({ name: 'ping', steps: [{ id: 'p', type: 'task', params: { task: 'pong' } }] });
    await rt.runtime.tasker.createTask({ name: 'pong', steps: [{ id: 'q', type: 'task', params: { task: 'ping' } }] });
    const { execution } = await rt.runtime.tasker.startExecution({ task: 'ping' });
    const view = await rt.runtime.tasker.waitForExecution(execution.id, 10_000);
    expect(view.status).toBe('failed');
    expect(view.error?.message).toContain('ping → pong → ping');
  });
});

describe('output cap on collected results', () => {
  it('fails a loop whose collected outputs exceed TASKER_MAX_OUTPUT_BYTES', async () => {
    rt = await startTempRuntime({ TASKER_MAX_OUTPUT_BYTES: '2048' });
    const view = await runTask({
      name: 'big-loop',
      steps: [{ id: 'each', type: 'foreach', items: '{{ [1..20] }}', steps: [{ id: 'pad', type: 'transform', params: { value: '{{ $pad("", 500, "x") }}' } }] }],
    });
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ kind: 'output_too_large' });
  });
});

describe('task timeout', () => {
  it('ends timed_out and aborts the request in flight', async () => {
    let closed = 0;
    target = await startTargetServer((_req, res) => res.on('close', () => closed++));
    rt = await startTempRuntime();
    const started = Date.now();
    const view = await runTask({ name: 'too-slow', timeout: '1s', steps: [{ id: 'hang', type: 'http', params: { url: target.url } }] });
    expect(view.status).toBe('timed_out');
    expect(view.error?.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(8000);
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(1);
  });
});
