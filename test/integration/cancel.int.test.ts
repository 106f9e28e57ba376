// Cancel through the real worker: an HTTP call in flight is aborted (the
// target sees its socket close at once), a waiting delay ends, and a finished
// execution cannot be canceled.
import { afterEach, describe, expect, it } from 'vitest';
import { startTempRuntime, type TempRuntime } from '../support/temp-runtime.js';
import { startTargetServer, type TargetServer } from '../support/target-server.js';

let rt: TempRuntime | undefined;
let target: TargetServer | undefined;

afterEach(async () => {
  await rt?.cleanup();
  await target?.close();
  rt = undefined;
  target = undefined;
});

describe('cancel', () => {
  it('during a 30 s HTTP call: the server sees the socket close within 1 s and the execution is canceled', async () => {
    let closedAt = 0;
    target = await startTargetServer((_req, res) => {
      res.on('close', () => (closedAt = Date.now()));
      setTimeout(() => res.end('late'), 30_000).unref();
    });
    rt = await startTempRuntime();
    const { tasker } = rt.runtime;
    await tasker.createTask({ name: 'slow-call', steps: [{ id: 'call', type: 'http', params: { url: target.url }, timeout: '60s' }, { id: 'after', type: 'log', params: { message: 'never' } }] });
    const { execution } = await tasker.startExecution({ task: 'slow-call' });
    while (target.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const canceledAt = Date.now();
    const view = await tasker.cancelExecution(execution.id);
    expect(view.status).toBe('canceled');
    while (closedAt === 0 && Date.now() - canceledAt < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(closedAt).toBeGreaterThan(0);
    expect(closedAt - canceledAt).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 300));
    const after = await tasker.getExecution(execution.id);
    expect(after.status).toBe('canceled');
    expect(after.error).toMatchObject({ kind: 'canceled' });
    expect(after.steps.map((s) => s.stepId)).not.toContain('after');
  });

  it('during a delay: the execution ends canceled and the steps after never run', async () => {
    rt = await startTempRuntime();
    const { tasker } = rt.runtime;
    await tasker.createTask({ name: 'nap', steps: [{ id: 'wait', type: 'delay', params: { duration: '500ms' } }, { id: 'after', type: 'transform', params: { value: 1 } }] });
    const { execution } = await tasker.startExecution({ task: 'nap' });
    expect((await tasker.waitForExecution(execution.id, 200)).status).toBe('waiting');
    await tasker.cancelExecution(execution.id);
    await new Promise((r) => setTimeout(r, 900));
    const view = await tasker.getExecution(execution.id);
    expect(view.status).toBe('canceled');
    expect(view.steps.map((s) => [s.stepId, s.status])).toEqual([['wait', 'canceled']]);
    expect(view.steps[0]?.finishedAt).toBe(view.finishedAt);
  });

  it('refuses to cancel a finished execution (409)', async () => {
    rt = await startTempRuntime();
    const { tasker } = rt.runtime;
    await tasker.createTask({ name: 'quick', steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
    const { execution } = await tasker.startExecution({ task: 'quick' });
    await tasker.waitForExecution(execution.id, 5000);
    await expect(tasker.cancelExecution(execution.id)).rejects.toMatchObject({ code: 'EXECUTION_FINISHED', status: 409 });
  });
});
