// One idempotency key, 50 concurrent starts spread over two API processes on
// MariaDB + Redis: exactly one execution exists afterwards and every answer
// names it. The unique (task, idempotency key) index decides between the
// processes; the losers must answer the winner's execution, not a 409 or 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, listAllExecutions, requestJson, TaskerCluster, waitFor } from '../../support/production-cluster.js';

const REQUESTS = 50;

let cluster: TaskerCluster | undefined;

beforeAll(async () => {
  cluster = await TaskerCluster.create({ env: { TASKER_LEASE: '2s' } });
});

afterAll(async () => {
  await cluster?.close();
});

describe('50 concurrent starts with one idempotency key over two API processes', () => {
  it('make exactly one execution, and every answer carries its id', async ({ onTestFailed }) => {
    const c = cluster as TaskerCluster;
    onTestFailed(() => console.error(c.report()));
    const [a, b] = await Promise.all([c.start('api'), c.start('api'), c.start('worker')]);
    const urls = [a?.url, b?.url].map((u) => u ?? '');
    await expectJson(201, `${urls[0]}/v1/tasks`, {
      body: { name: 'once', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input }}' } }] },
    });

    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        requestJson<{ id: string; code?: string }>(`${urls[i % 2]}/v1/tasks/once/executions`, {
          body: { input: { order: 42 } },
          headers: { 'idempotency-key': 'order-42' },
        }),
      ),
    );

    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 202), `statuses: ${JSON.stringify(answers.filter((r) => r.status !== 202).map((r) => [r.status, r.body]))}`).toEqual([]);
    const ids = new Set(answers.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(REQUESTS - 1);

    const [id] = [...ids];
    for (const url of urls) {
      const executions = await listAllExecutions(url, 'task=once');
      expect(executions.map((e) => e.id)).toEqual([id]);
    }
    const finished = await waitFor('the execution to finish', async () => {
      const e = await expectJson<{ status: string; output: unknown }>(200, `${urls[1]}/v1/executions/${id}`);
      return e.status === 'queued' || e.status === 'running' ? undefined : e;
    }, 30_000);
    expect(finished).toMatchObject({ status: 'succeeded', output: { order: 42 } });
  }, 90_000);
});
