// Idempotent starts seen from the target's side: 50 concurrent requests with
// one Idempotency-Key make one execution, and the API the task calls sees the
// side effect exactly once. Key order in the input does not make it "different".
import { afterEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';
import { json, startTargetServer, type TargetServer } from '../support/target-server.js';

let api: ApiHarness | undefined;
let target: TargetServer | undefined;

afterEach(async () => {
  await api?.close();
  await target?.close();
  api = undefined;
  target = undefined;
});

describe('an idempotency key shared by concurrent requests', () => {
  it('makes one execution whose side effect the target sees once; every 2xx carries its id', async () => {
    target = await startTargetServer((_req, res) => json(res, 201, { charged: true }));
    api = await startApiHarness();
    await api.runtime.tasker.createTask({
      name: 'charge',
      steps: [{ id: 'pay', type: 'http', params: { method: 'POST', url: `${target.url}/charges`, body: '{{ input }}' } }],
    });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api?.app.inject({ method: 'POST', url: '/v1/tasks/charge/executions', headers: { 'idempotency-key': 'order-42' }, payload: { input: { amount: 10, currency: 'EUR' } } }),
      ),
    );
    const ids = new Set(responses.map((r) => JSON.parse(r?.body ?? '{}').id));
    for (const r of responses) expect(r?.statusCode).toBe(202);
    expect(ids.size).toBe(1);
    const [id] = [...ids] as string[];
    expect((await api.runtime.tasker.waitForExecution(id as string, 10_000)).status).toBe('succeeded');
    expect(target.requests).toHaveLength(1);
    expect(JSON.parse(target.requests[0]?.body ?? '{}')).toEqual({ amount: 10, currency: 'EUR' });
  });

  it('treats the same input with its keys in another order as the same request', async () => {
    api = await startApiHarness();
    await api.runtime.tasker.createTask({ name: 'echo', steps: [{ id: 'a', type: 'transform', params: { value: '{{ input }}' } }] });
    const first = await api.app.inject({ method: 'POST', url: '/v1/tasks/echo/executions', headers: { 'idempotency-key': 'k', 'content-type': 'application/json' }, payload: '{"input":{"a":1,"b":{"c":2,"d":3}}}' });
    const again = await api.app.inject({
      method: 'POST',
      url: '/v1/tasks/echo/executions',
      headers: { 'idempotency-key': 'k', 'content-type': 'application/json' },
      payload: '{"input":{"b":{"d":3,"c":2},"a":1}}',
    });
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body).id).toBe(JSON.parse(first.body).id);
  });
});
