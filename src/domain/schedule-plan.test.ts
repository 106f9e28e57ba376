import { describe, expect, it } from 'vitest';
import { nextFireTimes } from './cron.js';
import { planSchedule, type SchedulePlanInput } from './schedule-plan.js';

/** The reference instant: the scheduler comes back at 21:41:30Z after being down since 20:00Z. */
const NOW = Date.parse('2026-03-10T21:41:30Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

const at = (time: string): number => Date.parse(`2026-03-10T${time}Z`);
const iso = (ms: number): string => new Date(ms).toISOString();

function schedule(over: Partial<SchedulePlanInput> = {}): SchedulePlanInput {
  return {
    cron: '* * * * *',
    timezone: 'UTC',
    nextFireAt: null,
    lastFireAt: null,
    catchup: 'latest',
    catchupWindowMs: HOUR,
    startAt: null,
    endAt: null,
    createdAt: at('08:00:00'),
    ...over,
  };
}

describe('planSchedule after downtime (* * * * *, last fire 20:00Z, now 21:41:30Z)', () => {
  const down = (catchup: SchedulePlanInput['catchup']): SchedulePlanInput =>
    schedule({ catchup, lastFireAt: at('20:00:00'), nextFireAt: at('20:01:00') });

  it('with catchup none, starts nothing and resumes at 21:42Z', () => {
    const plan = planSchedule(down('none'), NOW);
    expect(plan.fire).toEqual([]);
    expect(plan.nextFireAt).toBe(at('21:42:00'));
    expect(plan.lastFireAt).toBe(at('20:00:00'));
    // 101 due (20:01 … 21:41), all listed: the ledger records each one.
    expect(plan.missed).toHaveLength(101);
    expect(plan.missed[0]).toBe(at('20:01:00'));
    expect(plan.missed.at(-1)).toBe(at('21:41:00'));
    expect(plan.missedTruncated).toBe(false);
    expect(plan.oldestDue).toBe(at('20:01:00'));
    expect(plan.afterDowntime).toBe(true);
  });

  it('with catchup latest, starts exactly one run, for 21:41Z', () => {
    const plan = planSchedule(down('latest'), NOW);
    expect(plan.fire).toEqual([at('21:41:00')]);
    expect(plan.nextFireAt).toBe(at('21:42:00'));
    expect(plan.lastFireAt).toBe(at('21:41:00'));
    expect(plan.missed).toHaveLength(100);
    expect(plan.missed[0]).toBe(at('20:01:00'));
    expect(plan.missed.at(-1)).toBe(at('21:40:00'));
    expect(plan.afterDowntime).toBe(true);
  });

  it('with catchup all and a 60 min window, starts the 60 runs from 20:42Z to 21:41Z', () => {
    const plan = planSchedule(down('all'), NOW);
    expect(plan.fire).toHaveLength(60);
    expect(plan.fire[0]).toBe(at('20:42:00'));
    expect(plan.fire.at(-1)).toBe(at('21:41:00'));
    expect(plan.nextFireAt).toBe(at('21:42:00'));
    expect(plan.missed).toEqual(Array.from({ length: 41 }, (_, i) => at('20:01:00') + i * MIN));
    expect(plan.missedTruncated).toBe(false);
  });

  it('with catchup latest, starts nothing when the latest due fire is outside the window', () => {
    const plan = planSchedule(
      schedule({ cron: '0 0 * * *', catchup: 'latest', nextFireAt: Date.parse('2026-03-08T00:00:00Z') }),
      at('12:00:00'),
    );
    expect(plan.fire).toEqual([]);
    expect(plan.missed.map(iso)).toEqual(['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z']);
    expect(plan.nextFireAt).toBe(Date.parse('2026-03-11T00:00:00Z'));
  });

  it('with catchup all and a window shorter than the tolerance, still starts the fires within the tolerance', () => {
    expect(planSchedule({ ...down('all'), catchupWindowMs: 0 }, NOW).fire).toEqual([at('21:41:00')]);
  });

  it('runs each wall-clock fire of a repeated hour (Melbourne, 2024-04-07)', () => {
    const plan = planSchedule(
      schedule({
        cron: '*/30 * * * *', timezone: 'Australia/Melbourne', catchup: 'all', catchupWindowMs: 4 * HOUR,
        nextFireAt: Date.parse('2024-04-06T15:00:00Z'), createdAt: Date.parse('2024-01-01T00:00:00Z'),
      }),
      Date.parse('2024-04-06T17:10:00Z'),
    );
    expect(plan.fire.map(iso)).toEqual([
      '2024-04-06T15:00:00.000Z', '2024-04-06T15:30:00.000Z', '2024-04-06T16:00:00.000Z',
      '2024-04-06T16:30:00.000Z', '2024-04-06T17:00:00.000Z',
    ]);
  });
});

describe('planSchedule on time', () => {
  it('starts the due fire and moves to the next', () => {
    const plan = planSchedule(schedule({ nextFireAt: at('21:41:00'), lastFireAt: at('21:40:00') }), at('21:41:00') + 250);
    expect(plan).toEqual({
      fire: [at('21:41:00')], missed: [], missedTruncated: false, nextFireAt: at('21:42:00'), lastFireAt: at('21:41:00'),
      oldestDue: at('21:41:00'), afterDowntime: false,
    });
  });

  it('starts every fire within the tolerance, whatever the catchup policy', () => {
    const from = at('21:41:00');
    const plan = planSchedule(schedule({ cron: '* * * * * *', catchup: 'none', nextFireAt: from }), from + 5_500);
    expect(plan.fire).toEqual([0, 1, 2, 3, 4, 5].map((s) => from + s * 1000));
    expect(plan.nextFireAt).toBe(from + 6_000);
    expect(plan.afterDowntime).toBe(false);
  });

  it('does nothing before the next fire, keeping it', () => {
    const plan = planSchedule(schedule({ nextFireAt: at('21:42:00') }), NOW);
    expect(plan).toEqual({
      fire: [], missed: [], missedTruncated: false, nextFireAt: at('21:42:00'), lastFireAt: null, oldestDue: null, afterDowntime: false,
    });
  });
});

describe('planSchedule for a new schedule (nextFireAt not computed yet)', () => {
  it('fires first at the first instant after its creation', () => {
    const created = at('12:00:30');
    expect(planSchedule(schedule({ createdAt: created }), created)).toMatchObject({ fire: [], nextFireAt: at('12:01:00') });
  });

  it('does not fire at its creation instant, even when that is a fire instant', () => {
    const created = at('12:00:00');
    expect(planSchedule(schedule({ createdAt: created }), created).nextFireAt).toBe(at('12:01:00'));
  });

  it('fires first after the last fire when one is recorded (the expression was changed)', () => {
    const plan = planSchedule(schedule({ cron: '*/15 * * * *', lastFireAt: at('12:07:00') }), at('12:07:00'));
    expect(plan.nextFireAt).toBe(at('12:15:00'));
  });
});

describe('planSchedule with startAt and endAt', () => {
  it('fires first at startAt, which is inclusive', () => {
    const startAt = Date.parse('2026-04-01T00:00:00Z');
    const plan = planSchedule(schedule({ cron: '0 0 * * *', startAt }), NOW);
    expect(plan).toMatchObject({ fire: [], nextFireAt: startAt });
    expect(planSchedule(schedule({ cron: '0 0 * * *', startAt, nextFireAt: startAt }), startAt + 10).fire).toEqual([startAt]);
  });

  it('never fires before startAt, even from a stored earlier nextFireAt', () => {
    const plan = planSchedule(schedule({ nextFireAt: at('21:00:00'), startAt: at('21:30:30') }), at('21:30:40'));
    expect(plan.fire).toEqual([]);
    expect(plan.nextFireAt).toBe(at('21:31:00'));
  });

  it('fires at endAt, which is inclusive, and then has no next fire', () => {
    const plan = planSchedule(schedule({ nextFireAt: at('21:41:00'), endAt: at('21:41:00') }), NOW);
    expect(plan.fire).toEqual([at('21:41:00')]);
    expect(plan.nextFireAt).toBeNull();
  });

  it('ignores the instants after endAt when catching up', () => {
    const plan = planSchedule(
      schedule({ catchup: 'latest', nextFireAt: at('20:01:00'), endAt: at('21:00:00') }),
      NOW,
    );
    expect(plan.fire).toEqual([at('21:00:00')]);
    expect(plan.missed.at(-1)).toBe(at('20:59:00'));
    expect(plan.nextFireAt).toBeNull();
  });
});

describe('planSchedule after years of downtime', () => {
  it('stays bounded with a per-second expression, and is not held back by the backlog', () => {
    const plan = planSchedule(
      schedule({ cron: '* * * * * *', catchup: 'all', nextFireAt: Date.parse('2020-01-01T00:00:00Z') }),
      NOW,
    );
    expect(plan.fire).toHaveLength(100);
    expect(plan.fire.at(-1)).toBe(at('21:41:30'));
    expect(plan.fire[0]).toBe(at('21:39:51'));
    // The 1000 missed just before the fires are listed; the older ones only by oldestDue.
    expect(plan.missed).toHaveLength(1000);
    expect(plan.missed.at(-1)).toBe(at('21:39:50'));
    expect(plan.missed[0]).toBe(at('21:39:50') - 999_000);
    expect(plan.missedTruncated).toBe(true);
    expect(plan.oldestDue).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(plan.nextFireAt).toBe(at('21:41:31'));
  });

  it('finds a next fire years away (29 February 2028)', () => {
    const plan = planSchedule(schedule({ cron: '0 0 29 2 *', nextFireAt: Date.parse('2024-02-29T00:00:00Z') }), NOW);
    expect(plan.fire).toEqual([]);
    expect(plan.missed).toEqual([Date.parse('2024-02-29T00:00:00Z')]);
    expect(plan.nextFireAt).toBe(Date.parse('2028-02-29T00:00:00Z'));
  });
});

describe('planSchedule ticked by a scheduler across a fall-back night', () => {
  it('starts every fire exactly once when it ticks within the tolerance', () => {
    const from = Date.parse('2026-11-01T03:00:00Z');
    const until = Date.parse('2026-11-01T09:00:00Z');
    for (const cron of ['*/5 * * * *', '30 1 * * *', '*/20 * * * * *']) {
      let s = schedule({ cron, timezone: 'America/New_York', catchup: 'none', createdAt: from });
      const started: number[] = [];
      // Irregular ticks, 1 s to 53 s apart, deterministic.
      for (let now = from, i = 0; now <= until; now += 1_000 + ((i++ * 7_919) % 52_000)) {
        const plan = planSchedule(s, now);
        expect(plan.missed).toEqual([]);
        started.push(...plan.fire);
        s = { ...s, nextFireAt: plan.nextFireAt, lastFireAt: plan.lastFireAt };
        expect(plan.nextFireAt).toBeGreaterThan(now);
      }
      const expected = nextFireTimes(cron, 'America/New_York', from, started.length + 1).slice(0, -1);
      expect(started.length).toBeGreaterThan(0);
      expect(started).toEqual(expected);
    }
  });
});
