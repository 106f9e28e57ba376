// Exactly-once scheduling between processes: three `--role scheduler`
// processes, one worker and one API over MariaDB + Redis race for every fire
// of a `* * * * * *` schedule for 20 s while one scheduler is killed with
// SIGKILL (just after a second boundary, when the schedulers are firing) and
// restarted, twice. Every instant of the window must have exactly one
// execution: the unique (schedule, scheduled_for) index decides, not a lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, listAllExecutions, sleep, TaskerCluster, waitFor, type ExecutionSummary } from '../../support/production-cluster.js';

const WINDOW_S = 20;

let cluster: TaskerCluster | undefined;

beforeAll(async () => {
  cluster = await TaskerCluster.create({ env: { TASKER_LEASE: '2s' } });
});

afterAll(async () => {
  await cluster?.close();
});

/** Sleeps until the instant `at` (epoch ms). */
async function sleepUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait);
}

describe('three schedulers, one of them killed and restarted twice', () => {
  it('starts exactly one execution for every fire instant of the window, none missing', async ({ onTestFailed }) => {
    const c = cluster as TaskerCluster;
    onTestFailed(() => console.error(c.report()));
    // All at once, as `docker compose up` does: concurrent start-ups share the migrations.
    await Promise.all([c.start('api'), c.start('worker'), c.start('scheduler'), c.start('scheduler'), c.start('scheduler')]);
    const api = c.apiUrl();

    await expectJson(201, `${api}/v1/tasks`, {
      body: { name: 'tick', steps: [{ id: 'note', type: 'transform', params: { value: '{{ execution.scheduledFor }}' } }] },
    });
    const first = Math.ceil((Date.now() + 3_000) / 1000) * 1000;
    const last = first + (WINDOW_S - 1) * 1000;
    const schedule = await expectJson<{ id: string }>(201, `${api}/v1/schedules`, {
      body: {
        taskId: 'tick', name: 'every-second', cron: '* * * * * *', overlap: 'allow',
        startAt: new Date(first).toISOString(), endAt: new Date(last).toISOString(),
      },
    });

    // Kill scheduler1 twice, 30 ms after a second boundary: mid-fire for the others too.
    for (const at of [first + 5_030, first + 12_030]) {
      await sleepUntil(at);
      await c.kill('scheduler1');
      await c.restart('scheduler1');
    }

    await sleepUntil(last + 2_000);
    const executions = await waitFor('every execution of the window to finish', async () => {
      const all = await listAllExecutions(api, `schedule=${schedule.id}`);
      return all.length >= WINDOW_S && all.every((e) => e.status === 'succeeded') ? all : undefined;
    }, 30_000, 500).catch(async (err: unknown) => {
      const all = await listAllExecutions(api, `schedule=${schedule.id}`);
      throw new Error(`${(err as Error).message}; executions: ${JSON.stringify(all.map((e) => [e.scheduledFor, e.status]))}`);
    });

    const byInstant = new Map<string, ExecutionSummary[]>();
    for (const e of executions) byInstant.set(String(e.scheduledFor), [...(byInstant.get(String(e.scheduledFor)) ?? []), e]);
    const expected = Array.from({ length: WINDOW_S }, (_, i) => new Date(first + i * 1000).toISOString());
    const counts = Object.fromEntries([...byInstant].map(([instant, list]) => [instant, list.length]));
    expect(counts).toEqual(Object.fromEntries(expected.map((instant) => [instant, 1])));
    expect(c.member('scheduler1').generation).toBe(3);
  }, 120_000);
});
