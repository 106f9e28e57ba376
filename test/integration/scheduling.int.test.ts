// Scheduling through the real use cases and store, with an injected clock
// (no real waiting): exactly one execution per (schedule, fire instant) even
// with two schedulers on one database, catch-up after downtime, overlap.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { startTempRuntime, type TempRuntime } from '../support/temp-runtime.js';
import { at, FakeClock } from '../support/fake-clock.js';


let rt: TempRuntime | undefined;
const extra: Runtime[] = [];

afterEach(async () => {
  for (const r of extra.splice(0)) await r.close();
  await rt?.cleanup();
  rt = undefined;
});

/** A runtime whose loops are not started: tests call fireDueSchedules() themselves. */
async function setup(clock: FakeClock) {
  rt = await startTempRuntime({}, { clock, start: false });
  const tasker = rt.runtime.tasker;
  await tasker.createTask({ name: 'tick', steps: [{ id: 'a', type: 'transform', params: { value: '{{ execution.scheduledFor }}' } }] });
  return tasker;
}

async function scheduledFor(tasker: Runtime['tasker'], scheduleId: string): Promise<string[]> {
  const page = await tasker.listExecutions({ schedule: scheduleId, limit: 200 });
  return page.items.map((e) => new Date(e.scheduledFor ?? 0).toISOString()).sort();
}

describe('exactly once per fire instant', () => {
  it('two schedulers on one database start one execution per instant', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', overlap: 'allow' });
    expect(new Date(schedule.nextFireAt ?? 0).toISOString()).toBe('2026-05-01T12:01:00.000Z');
    const other = await createRuntime(loadConfig({ TASKER_DB_URL: rt?.dbUrl, TASKER_LOG_LEVEL: 'silent' }), { clock });
    extra.push(other);
    for (const minute of ['12:01', '12:02', '12:03']) {
      clock.t = at(`2026-05-01T${minute}:00.005Z`);
      await Promise.all([tasker.fireDueSchedules(), other.tasker.fireDueSchedules(), tasker.fireDueSchedules()]);
    }
    expect(await scheduledFor(tasker, schedule.id)).toEqual(['2026-05-01T12:01:00.000Z', '2026-05-01T12:02:00.000Z', '2026-05-01T12:03:00.000Z']);
    expect(new Date((await tasker.getSchedule(schedule.id)).nextFireAt ?? 0).toISOString()).toBe('2026-05-01T12:04:00.000Z');
  });
});

describe('catch-up after downtime', () => {
  // Last fire 20:00Z, the service is down until 21:41:30Z.
  async function downtime(catchup: string, catchupWindow = '1h') {
    const clock = new FakeClock(at('2026-05-01T19:59:30Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', catchup, catchupWindow, overlap: 'allow' });
    clock.t = at('2026-05-01T20:00:00.010Z');
    await tasker.fireDueSchedules();
    clock.t = at('2026-05-01T21:41:30Z');
    await tasker.fireDueSchedules();
    const fired = await scheduledFor(tasker, schedule.id);
    const after = await tasker.getSchedule(schedule.id);
    // A second pass (a second restart) replays nothing.
    await tasker.fireDueSchedules();
    expect(await scheduledFor(tasker, schedule.id)).toEqual(fired);
    return { fired: fired.slice(1), schedule: after };
  }

  it('with none, starts no extra run', async () => {
    const { fired, schedule } = await downtime('none');
    expect(fired).toEqual([]);
    expect(schedule.enabled).toBe(true);
    expect(new Date(schedule.nextFireAt ?? 0).toISOString()).toBe('2026-05-01T21:42:00.000Z');
  });

  it('with latest, starts exactly one run, for 21:41Z', async () => {
    const { fired, schedule } = await downtime('latest');
    expect(fired).toEqual(['2026-05-01T21:41:00.000Z']);
    expect(schedule.enabled).toBe(true);
  });

  it('with all and a 60-minute window, starts exactly 60 runs, 20:42Z to 21:41Z', async () => {
    const { fired, schedule } = await downtime('all', '60m');
    expect(fired).toHaveLength(60);
    expect(fired[0]).toBe('2026-05-01T20:42:00.000Z');
    expect(fired[59]).toBe('2026-05-01T21:41:00.000Z');
    expect(schedule.enabled).toBe(true);
  });
});

describe('overlap policies', () => {
  async function twoFires(overlap: string) {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    // A worker (no scheduler loop: the test fires) and a task that waits an hour of fake time.
    rt = await startTempRuntime({ TASKER_ROLE: 'worker' }, { clock });
    const tasker = rt.runtime.tasker;
    await tasker.createTask({ name: 'tick', steps: [{ id: 'nap', type: 'delay', params: { duration: '1h' } }] });
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', overlap });
    clock.t = at('2026-05-01T12:01:00.001Z');
    const first = await tasker.fireDueSchedules();
    const firstId = first.executionIds[0] ?? '';
    for (let i = 0; i < 100 && (await tasker.getExecution(firstId)).status !== 'waiting'; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await tasker.getExecution(firstId)).status).toBe('waiting');
    clock.t = at('2026-05-01T12:02:00.001Z');
    await tasker.fireDueSchedules();
    clock.t = at('2026-05-01T12:03:00.001Z');
    await tasker.fireDueSchedules();
    const page = await tasker.listExecutions({ schedule: schedule.id });
    return page.items;
  }

  it('skip starts no new run while one is active', async () => {
    expect(await twoFires('skip')).toHaveLength(1);
  });

  it('allow starts every run', async () => {
    expect(await twoFires('allow')).toHaveLength(3);
  });

  it('queue keeps one pending run', async () => {
    expect(await twoFires('queue')).toHaveLength(2);
  });

  it('cancel_previous cancels the active run and starts the new one', async () => {
    const items = await twoFires('cancel_previous');
    expect(items).toHaveLength(3);
    expect(items.filter((e) => e.status === 'canceled')).toHaveLength(2);
  });
});

describe('schedule fields', () => {
  it('refuses a bad schedule with every problem and its path', async () => {
    const tasker = await setup(new FakeClock(at('2026-05-01T12:00:00Z')));
    await expect(tasker.createSchedule({ taskId: 'tick', cron: '0 0 30 2 *', timezone: 'Mars/Olympus', overlap: 'sometimes', jitter: 'soon' })).rejects.toMatchObject({
      code: 'SCHEDULE_INVALID',
      problems: expect.arrayContaining([
        expect.objectContaining({ path: '/cron' }),
        expect.objectContaining({ path: '/timezone' }),
        expect.objectContaining({ path: '/overlap' }),
        expect.objectContaining({ path: '/jitter' }),
      ]),
    });
  });

  it('pausing and resuming does not replay the fires made while paused', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', catchup: 'all' });
    await tasker.setScheduleEnabled(schedule.id, false);
    clock.t = at('2026-05-01T12:30:10Z');
    await tasker.fireDueSchedules();
    const resumed = await tasker.setScheduleEnabled(schedule.id, true);
    expect(new Date(resumed.nextFireAt ?? 0).toISOString()).toBe('2026-05-01T12:31:00.000Z');
    await tasker.fireDueSchedules();
    expect(await scheduledFor(tasker, schedule.id)).toEqual([]);
  });

  it('moves past a fire it must refuse (input no longer matches the task) instead of retrying it forever', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', input: { n: 'one' } });
    await tasker.updateTask('tick', { name: 'tick', input: { type: 'object', properties: { n: { type: 'integer' } } }, steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
    clock.t = at('2026-05-01T12:01:00.001Z');
    const result = await tasker.fireDueSchedules();
    expect(result).toMatchObject({ fired: 0, errors: 0 });
    expect(new Date((await tasker.getSchedule(schedule.id)).nextFireAt ?? 0).toISOString()).toBe('2026-05-01T12:02:00.000Z');
  });
});
