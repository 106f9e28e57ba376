// The schedule ledger and backfill through the real use cases and store, with an injected
// clock (no real waiting): what each catch-up policy records after downtime, overlap skips
// and refused fires, and backfills that never start a second run of an occurrence.
import { afterEach, describe, expect, it } from 'vitest';
import type { OccurrenceKind } from '../../src/domain/schedule-occurrence.js';
import type { Runtime } from '../../src/main.js';
import type { Occurrence } from '../../src/ports/occurrence-store.js';
import { startTempRuntime, type TempRuntime } from '../support/temp-runtime.js';
import { at, FakeClock } from '../support/fake-clock.js';

const iso = (ms: number | null) => new Date(ms ?? 0).toISOString();

let rt: TempRuntime | undefined;

afterEach(async () => {
  await rt?.cleanup();
  rt = undefined;
});

/** A runtime whose loops are not started: tests call fireDueSchedules() themselves, and no
 * worker runs the executions (they stay queued, so they count as active for overlap). */
async function setup(clock: FakeClock) {
  rt = await startTempRuntime({}, { clock, start: false });
  const tasker = rt.runtime.tasker;
  await tasker.createTask({ name: 'tick', steps: [{ id: 'a', type: 'transform', params: { value: '{{ execution.scheduledFor }}' } }] });
  return tasker;
}

/** The whole ledger of a schedule, earliest first (paged through, as a client would). */
async function ledger(tasker: Runtime['tasker'], scheduleId: string): Promise<Occurrence[]> {
  const rows: Occurrence[] = [];
  let cursor: string | undefined;
  do {
    const page = await tasker.listScheduleOccurrences(scheduleId, { limit: 200, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows.reverse();
}

function countByKind(rows: Occurrence[]): Partial<Record<OccurrenceKind, number>> {
  const counts: Partial<Record<OccurrenceKind, number>> = {};
  for (const row of rows) counts[row.kind] = (counts[row.kind] ?? 0) + 1;
  return counts;
}

async function scheduledFor(tasker: Runtime['tasker'], scheduleId: string): Promise<string[]> {
  const page = await tasker.listExecutions({ schedule: scheduleId, limit: 200 });
  return page.items.map((e) => iso(e.scheduledFor)).sort();
}

describe('the ledger after downtime (* * * * *, last fire 20:00Z, down until 21:41:30Z)', () => {
  // The fires from 20:01Z to 21:41Z (101 of them) came while the service was down. Each one
  // gets one row: `missed`, or `caught_up` when the catch-up policy started it late. The
  // 20:00Z fire, made on time before the downtime, is `fired`.
  async function downtime(catchup: string, catchupWindow = '1h') {
    const clock = new FakeClock(at('2026-05-01T19:59:30Z'));
    let tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', catchup, catchupWindow, overlap: 'allow' });
    clock.t = at('2026-05-01T20:00:00.010Z');
    await tasker.fireDueSchedules();
    // The service is down; it starts again at 21:41:30Z.
    clock.t = at('2026-05-01T21:41:30Z');
    tasker = (await rt!.restart()).tasker;
    await tasker.fireDueSchedules();
    const fired = await scheduledFor(tasker, schedule.id);
    const rows = await ledger(tasker, schedule.id);
    const after = await tasker.getSchedule(schedule.id);
    // A second restart replays nothing and records nothing new.
    tasker = (await rt!.restart()).tasker;
    await tasker.fireDueSchedules();
    expect(await scheduledFor(tasker, schedule.id)).toEqual(fired);
    expect(await ledger(tasker, schedule.id)).toEqual(rows);
    expect(after.enabled).toBe(true);
    expect(iso(after.nextFireAt)).toBe('2026-05-01T21:42:00.000Z');
    const down = rows.filter((r) => r.instant > at('2026-05-01T20:00:00Z'));
    expect(down).toHaveLength(101);
    expect(rows[0]).toMatchObject({ instant: at('2026-05-01T20:00:00Z'), kind: 'fired', reason: 'on time' });
    return { fired: fired.slice(1), rows, down };
  }

  it('with none: no extra run; all 101 fires of the downtime are missed', async () => {
    const { fired, rows, down } = await downtime('none');
    expect(fired).toEqual([]);
    expect(countByKind(rows)).toEqual({ fired: 1, missed: 101 });
    expect(iso(down[0]?.instant ?? 0)).toBe('2026-05-01T20:01:00.000Z');
    expect(iso(down[100]?.instant ?? 0)).toBe('2026-05-01T21:41:00.000Z');
    expect(down.every((r) => r.reason === 'due while the scheduler was down; catch-up none starts no missed fire' && r.executionId === null)).toBe(true);
  });

  it('with latest: one run, for 21:41Z, caught up; the 100 fires before it are missed', async () => {
    const { fired, rows, down } = await downtime('latest');
    expect(fired).toEqual(['2026-05-01T21:41:00.000Z']);
    // 101 = 100 missed (20:01Z … 21:40Z) + 1 caught up (21:41Z).
    expect(countByKind(rows)).toEqual({ fired: 1, missed: 100, caught_up: 1 });
    expect(down.at(-1)).toMatchObject({ kind: 'caught_up', reason: 'started late after downtime (catch-up latest)', executionId: expect.any(String) });
    expect(down.find((r) => r.instant === at('2026-05-01T20:41:00Z'))?.reason).toBe('due while the scheduler was down; outside the catch-up window (1h)');
    expect(down.find((r) => r.instant === at('2026-05-01T21:40:00Z'))?.reason).toBe('due while the scheduler was down; catch-up latest started only the most recent fire');
  });

  it('with all and a 60-minute window: 60 runs, 20:42Z to 21:41Z, caught up; the 41 before the window are missed', async () => {
    const { fired, rows, down } = await downtime('all', '60m');
    expect(fired).toHaveLength(60);
    expect(fired[0]).toBe('2026-05-01T20:42:00.000Z');
    expect(fired[59]).toBe('2026-05-01T21:41:00.000Z');
    // 101 = 41 missed (20:01Z … 20:41Z, older than 21:41:30Z − 60 min) + 60 caught up.
    expect(countByKind(rows)).toEqual({ fired: 1, missed: 41, caught_up: 60 });
    expect(down.filter((r) => r.kind === 'caught_up').map((r) => iso(r.instant))).toEqual(fired);
    expect(down.filter((r) => r.kind === 'missed').every((r) => r.reason.endsWith('outside the catch-up window (1h)'))).toBe(true);
  });
});

describe('the ledger on a running scheduler', () => {
  it('records a fire skipped by the overlap policy with the execution that was still active', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', overlap: 'skip' });
    clock.t = at('2026-05-01T12:01:00.005Z');
    const [first] = (await tasker.fireDueSchedules()).executionIds;
    clock.t = at('2026-05-01T12:02:00.005Z');
    await tasker.fireDueSchedules();
    expect(await ledger(tasker, schedule.id)).toEqual([
      { scheduleId: schedule.id, instant: at('2026-05-01T12:01:00Z'), kind: 'fired', reason: 'on time', executionId: first, recordedAt: at('2026-05-01T12:01:00.005Z') },
      {
        scheduleId: schedule.id, instant: at('2026-05-01T12:02:00Z'), kind: 'skipped', executionId: null, recordedAt: at('2026-05-01T12:02:00.005Z'),
        reason: `overlap skip: a run of this schedule was still active (execution ${first})`,
      },
    ]);
  });

  it('records a refused fire (the input no longer matches the task) as skipped, with the reason', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', input: { n: 'one' } });
    await tasker.updateTask('tick', { name: 'tick', input: { type: 'object', properties: { n: { type: 'integer' } } }, steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
    clock.t = at('2026-05-01T12:01:00.001Z');
    await tasker.fireDueSchedules();
    const [row] = await ledger(tasker, schedule.id);
    expect(row).toMatchObject({ kind: 'skipped', executionId: null, instant: at('2026-05-01T12:01:00Z') });
    // The code, the use case's message (its wording is start-execution's), then each problem.
    expect(row?.reason).toMatch(/^refused \(INPUT_INVALID\): .*input schema.* \(\/input\/n must be integer\)$/);
  });

  it('filters the ledger by kind', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', overlap: 'skip' });
    for (const t of ['12:01', '12:02', '12:03']) {
      clock.t = at(`2026-05-01T${t}:00.005Z`);
      await tasker.fireDueSchedules();
    }
    const skipped = await tasker.listScheduleOccurrences(schedule.id, { kinds: ['skipped'] });
    expect(skipped.items.map((r) => iso(r.instant))).toEqual(['2026-05-01T12:03:00.000Z', '2026-05-01T12:02:00.000Z']);
    await expect(tasker.listScheduleOccurrences('nope', {})).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
  });
});

describe('backfill', () => {
  it('creates one run per occurrence of 0 9 1 * * in Berlin from 2019-01-01T00:00 to 2019-03-31T23:59 local, and none the second time', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:00Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '0 9 1 * *', timezone: 'Europe/Berlin' });
    const range = { from: '2019-01-01T00:00', to: '2019-03-31T23:59' };
    const first = await tasker.backfillSchedule(schedule.id, range);
    expect(first).toMatchObject({ created: 3, skipped: 0, from: at('2018-12-31T23:00:00Z'), to: at('2019-03-31T21:59:00Z') });
    expect(await scheduledFor(tasker, schedule.id)).toEqual(['2019-01-01T08:00:00.000Z', '2019-02-01T08:00:00.000Z', '2019-03-01T08:00:00.000Z']);
    const executions = await Promise.all(first.executionIds.map((id) => tasker.getExecution(id)));
    expect(executions.map((e) => e.trigger)).toEqual(['schedule', 'schedule', 'schedule']);
    expect((await ledger(tasker, schedule.id)).map((r) => [iso(r.instant), r.kind, r.executionId])).toEqual([
      ['2019-01-01T08:00:00.000Z', 'backfilled', first.executionIds[0]],
      ['2019-02-01T08:00:00.000Z', 'backfilled', first.executionIds[1]],
      ['2019-03-01T08:00:00.000Z', 'backfilled', first.executionIds[2]],
    ]);

    const again = await tasker.backfillSchedule(schedule.id, range);
    expect(again).toMatchObject({ created: 0, skipped: 3, executionIds: [] });
    expect(await scheduledFor(tasker, schedule.id)).toHaveLength(3);
  });

  it('fills missed occurrences and leaves the ones that ran, after downtime with catch-up none', async () => {
    const clock = new FakeClock(at('2026-05-01T19:59:30Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', catchup: 'none', overlap: 'allow' });
    clock.t = at('2026-05-01T20:00:00.010Z');
    await tasker.fireDueSchedules();
    clock.t = at('2026-05-01T21:41:30Z');
    await tasker.fireDueSchedules();
    const result = await tasker.backfillSchedule(schedule.id, { from: '2026-05-01T20:00:00Z', to: '2026-05-01T20:05:00Z', onlyMissed: true });
    expect(result).toMatchObject({ created: 5, skipped: 1 });
    const rows = (await ledger(tasker, schedule.id)).slice(0, 7);
    expect(rows.map((r) => r.kind)).toEqual(['fired', 'backfilled', 'backfilled', 'backfilled', 'backfilled', 'backfilled', 'missed']);
    expect(rows[1]?.reason).toBe('backfilled on request; was missed: due while the scheduler was down; catch-up none starts no missed fire');
    expect(await scheduledFor(tasker, schedule.id)).toEqual(['00', '01', '02', '03', '04', '05'].map((m) => `2026-05-01T20:${m}:00.000Z`));
  });

  it('with onlyMissed leaves an occurrence skipped by the overlap policy alone; without, fills it', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', overlap: 'skip' });
    for (const t of ['12:01', '12:02']) {
      clock.t = at(`2026-05-01T${t}:00.005Z`);
      await tasker.fireDueSchedules();
    }
    const range = { from: '2026-05-01T12:01:00Z', to: '2026-05-01T12:02:00Z' };
    expect(await tasker.backfillSchedule(schedule.id, { ...range, onlyMissed: true })).toMatchObject({ created: 0, skipped: 2 });
    expect(await tasker.backfillSchedule(schedule.id, range)).toMatchObject({ created: 1, skipped: 1 });
    const [, second] = await ledger(tasker, schedule.id);
    expect(second).toMatchObject({ kind: 'backfilled', executionId: expect.any(String) });
    expect(second?.reason).toMatch(/^backfilled on request; was skipped: overlap skip/);
  });

  it('never starts a second run for an occurrence the ledger says ran, nor for the future', async () => {
    const clock = new FakeClock(at('2026-05-01T12:00:10Z'));
    const tasker = await setup(clock);
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *', overlap: 'allow' });
    clock.t = at('2026-05-01T12:01:00.005Z');
    await tasker.fireDueSchedules();
    clock.t = at('2026-05-01T12:02:30Z');
    const result = await tasker.backfillSchedule(schedule.id, { from: '2026-05-01T12:00:00Z', to: '2026-05-01T13:00:00Z' });
    // 12:00 and 12:02 created; 12:01 fired already; 12:03 onwards is not yet due.
    expect(result).toMatchObject({ created: 2, skipped: 1, to: at('2026-05-01T12:02:30Z') });
    expect(await scheduledFor(tasker, schedule.id)).toEqual(['2026-05-01T12:00:00.000Z', '2026-05-01T12:01:00.000Z', '2026-05-01T12:02:00.000Z']);
    // The scheduler, reaching 12:02 after the backfill, finds that run and starts no other.
    await tasker.fireDueSchedules();
    expect(await scheduledFor(tasker, schedule.id)).toHaveLength(3);
  });

  it('refuses a range of more than 1000 occurrences, an end before the start and what is not a date-time', async () => {
    const tasker = await setup(new FakeClock(at('2026-05-01T12:00:00Z')));
    const schedule = await tasker.createSchedule({ taskId: 'tick', cron: '* * * * *' });
    await expect(tasker.backfillSchedule(schedule.id, { from: '2019-01-01T00:00', to: '2019-01-02T00:00' })).rejects.toMatchObject({
      code: 'BACKFILL_INVALID',
      message: expect.stringContaining('more than 1000 occurrences'),
      problems: [expect.objectContaining({ path: '/to' })],
    });
    await expect(tasker.backfillSchedule(schedule.id, { from: '2019-01-02T00:00', to: '2019-01-01T00:00' })).rejects.toMatchObject({
      code: 'BACKFILL_INVALID', problems: [{ path: '/to', message: expect.stringContaining('must not be before from') }],
    });
    await expect(tasker.backfillSchedule(schedule.id, { from: 'yesterday', to: 'today' })).rejects.toMatchObject({
      code: 'BACKFILL_INVALID', problems: [expect.objectContaining({ path: '/from' }), expect.objectContaining({ path: '/to' })],
    });
    expect(await scheduledFor(tasker, schedule.id)).toEqual([]);
  });
});
