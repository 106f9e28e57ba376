import { describe, expect, it } from 'vitest';
import { missedOccurrences } from './schedule-occurrence.js';
import { planSchedule, type SchedulePlanInput } from './schedule-plan.js';

/** The reference instant: the scheduler comes back at 21:41:30Z after being down since 20:00Z. */
const NOW = Date.parse('2026-03-10T21:41:30Z');
const TOLERANCE = 60_000;
const at = (time: string): number => Date.parse(`2026-03-10T${time}Z`);

function down(catchup: SchedulePlanInput['catchup']): SchedulePlanInput {
  return {
    cron: '* * * * *', timezone: 'UTC', nextFireAt: at('20:01:00'), lastFireAt: at('20:00:00'), catchup,
    catchupWindowMs: 3_600_000, startAt: null, endAt: null, createdAt: at('08:00:00'),
  };
}

const missed = (s: SchedulePlanInput, now = NOW) => missedOccurrences(s, planSchedule(s, now, TOLERANCE), now, TOLERANCE);

describe('missedOccurrences after downtime (* * * * *, last fire 20:00Z, now 21:41:30Z)', () => {
  it('with catchup none, lists the 101 fires from 20:01Z to 21:41Z, each saying catch-up none started nothing', () => {
    const list = missed(down('none'));
    expect(list).toHaveLength(101);
    expect(list[0]?.instant).toBe(at('20:01:00'));
    expect(list.at(-1)?.instant).toBe(at('21:41:00'));
    expect(new Set(list.map((m) => m.reason))).toEqual(new Set(['due while the scheduler was down; catch-up none starts no missed fire']));
  });

  it('with catchup latest, tells the fires outside the 1h window from those only passed over', () => {
    const list = missed(down('latest'));
    expect(list).toHaveLength(100);
    expect(list.find((m) => m.instant === at('20:41:00'))?.reason).toBe('due while the scheduler was down; outside the catch-up window (1h)');
    expect(list.find((m) => m.instant === at('20:42:00'))?.reason).toBe('due while the scheduler was down; catch-up latest started only the most recent fire');
  });

  it('with catchup all, lists the 41 fires outside the window, 20:01Z to 20:41Z', () => {
    const list = missed(down('all'));
    expect(list).toHaveLength(41);
    expect(list.every((m) => m.reason.endsWith('outside the catch-up window (1h)'))).toBe(true);
  });

  it('sums up the fires it cannot list in one entry at the oldest due instant', () => {
    const s: SchedulePlanInput = { ...down('none'), cron: '* * * * * *', nextFireAt: Date.parse('2020-01-01T00:00:00Z'), lastFireAt: null };
    const list = missed(s);
    expect(list).toHaveLength(1001);
    expect(list[0]?.instant).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(list[0]?.reason).toMatch(/the fires from here until 2026-03-10T21:\d\d:\d\d\.000Z were missed too and are not listed one by one/);
    expect(list[1]?.instant).toBe(NOW - 999_000);
  });
});
