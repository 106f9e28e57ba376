// Checks nextFireTimes/previousFireTimes against an independent oracle around every
// DST transition of 2026 in several zones: offsets come from Intl, the DESIGN §6 rules
// are applied by brute force over each instant, and thousands of `after` instants are
// compared. Also checks the invariants: later than `after`, strictly increasing.
import { describe, expect, it } from 'vitest';
import { nextFireTimes, previousFireTimes } from './cron.js';

const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR_END = Date.parse('2027-01-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Local { second: number; minute: number; hour: number; day: number /* days since 1970 */; dow: number }

type Rule =
  | { kind: 'interval'; matches: (l: Local) => boolean }
  | { kind: 'fixed'; at: number /* seconds after local midnight */; onDay: (l: Local) => boolean };

const everyDay = (): boolean => true;
const fixed = (h: number, m: number, s = 0, onDay: (l: Local) => boolean = everyDay): Rule =>
  ({ kind: 'fixed', at: h * 3600 + m * 60 + s, onDay });
const interval = (matches: (l: Local) => boolean): Rule => ({ kind: 'interval', matches });

/** Expressions with their meaning written out by hand; `seconds` ones are scanned per second. */
const CASES: { expr: string; rule: Rule; seconds?: boolean }[] = [
  { expr: '30 2 * * *', rule: fixed(2, 30) },
  { expr: '30 1 * * *', rule: fixed(1, 30) },
  { expr: '0 2 * * *', rule: fixed(2, 0) },
  { expr: '45 1 * * *', rule: fixed(1, 45) },
  { expr: '30 0 * * *', rule: fixed(0, 30) },
  { expr: '30 23 * * *', rule: fixed(23, 30) },
  { expr: '0 3 * * SUN', rule: fixed(3, 0, 0, (l) => l.dow === 0) },
  { expr: '*/30 * * * *', rule: interval((l) => l.second === 0 && l.minute % 30 === 0) },
  { expr: '0 * * * *', rule: interval((l) => l.second === 0 && l.minute === 0) },
  { expr: '*/20 1-2 * * *', rule: interval((l) => l.second === 0 && l.minute % 20 === 0 && (l.hour === 1 || l.hour === 2)) },
  { expr: '15 2,3 * * *', rule: interval((l) => l.second === 0 && l.minute === 15 && (l.hour === 2 || l.hour === 3)) },
  { expr: '15 30 2 * * *', rule: fixed(2, 30, 15), seconds: true },
  { expr: '*/20 59 1 * * *', rule: interval((l) => l.second % 20 === 0 && l.minute === 59 && l.hour === 1), seconds: true },
];

const ZONES = ['America/New_York', 'Europe/London', 'Australia/Melbourne', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham'];

const formatters = new Map<string, Intl.DateTimeFormat>();
function offsetAt(tz: string, at: number): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(at))) p[part.type] = Number(part.value);
  const local = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return local - Math.floor(at / 1000) * 1000;
}

/** Each offset change of the year: the first second of the new offset. */
function transitions(tz: string): { at: number; before: number; after: number }[] {
  const found = [];
  for (let t = YEAR_START; t < YEAR_END; t += HOUR) {
    const before = offsetAt(tz, t);
    const after = offsetAt(tz, t + HOUR);
    if (before === after) continue;
    let lo = t;
    let hi = t + HOUR;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(tz, mid) === before) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, before, after });
  }
  return found;
}

function localOf(at: number, offset: number): Local {
  const local = at + offset;
  const day = Math.floor(local / DAY);
  const secondOfDay = Math.floor((local - day * DAY) / 1000);
  return {
    second: secondOfDay % 60, minute: Math.floor(secondOfDay / 60) % 60, hour: Math.floor(secondOfDay / 3600),
    day, dow: (day + 4) % 7, // 1970-01-01 was a Thursday
  };
}

/** All fires in [from, to) by the DESIGN §6 rules, scanning instant by instant. */
function oracle(rule: Rule, from: number, to: number, step: number, offset: (at: number) => number): number[] {
  const fires: number[] = [];
  const firedDays = new Set<number>();
  for (let at = from; at < to; at += step) {
    const l = localOf(at, offset(at));
    if (rule.kind === 'interval') {
      if (rule.matches(l)) fires.push(at);
    } else if (!firedDays.has(l.day) && rule.onDay(l) && l.hour * 3600 + l.minute * 60 + l.second >= rule.at) {
      // A fixed time fires at the first instant of its local day at or past it: the time
      // itself, its first pass when repeated, or the end of the gap when skipped.
      firedDays.add(l.day);
      fires.push(at);
    }
  }
  return fires;
}

describe('fire instants around the DST transitions of 2026', () => {
  for (const tz of ZONES) {
    it(`match the written-out rules in ${tz}, from thousands of instants`, () => {
      const changes = transitions(tz);
      expect(changes.length).toBe(2);
      let compared = 0;
      for (const change of changes) {
        const offset = (at: number): number => (at < change.at ? change.before : change.after);
        for (const { expr, rule, seconds } of CASES) {
          // Scan from 2 days before (a fixed rule's first day may start mid-day, so
          // `after` starts a day later) to 2 days after; per second for 6 fields.
          const span = seconds ? 30 * HOUR : 2 * DAY;
          const from = change.at - span;
          const to = change.at + span;
          const fires = oracle(rule, from, to, seconds ? 1000 : 60_000, offset);
          const stride = seconds ? 17 * 60_000 + 7_000 : 41 * 60_000 + 13_000;
          for (let after = from + span / 2; after < to - span / 4; after += stride) {
            const actual = nextFireTimes(expr, tz, after, 2);
            const expected = fires.filter((f) => f > after).slice(0, 2);
            const label = `${expr} in ${tz} after ${new Date(after).toISOString()}`;
            expect(actual.slice(0, expected.length).map(iso), label).toEqual(expected.map(iso));
            if (expected.length < 2) expect(actual[expected.length] ?? Infinity, label).toBeGreaterThanOrEqual(to);
            const before = fires.filter((f) => f < after).at(-1);
            if (before !== undefined && before >= from + span / 2) {
              expect(previousFireTimes(expr, tz, after, 1).map(iso), label).toEqual([iso(before)]);
            }
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(500);
    });
  }
});

describe('the next fires, from 4000 instants across transitions', () => {
  it('are each later than after and strictly increasing', () => {
    const exprs = ['*/7 * * * *', '30 2 * * *', '0 0 L * *', '0 1-3 * * MON-FRI', '*/45 */5 * * * *', '0 0 13 * 5'];
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Melbourne', 'UTC', 'Asia/Kolkata'];
    let checked = 0;
    // 2026-03-08 and 2026-11-01 (US), 03-29 and 10-25 (EU), 04-05 and 10-04 (AU), a second apart from minute marks.
    const days = ['2026-03-07', '2026-10-31', '2026-03-28', '2026-10-24', '2026-04-04', '2026-10-03'];
    for (const day of days) {
      for (const tz of zones) {
        for (const expr of exprs) {
          const base = Date.parse(`${day}T00:00:00Z`);
          for (let i = 0; i < 23; i++) {
            const after = base + i * (2 * HOUR + 7 * 60_000 + 1_001);
            const fires = nextFireTimes(expr, tz, after, 3);
            expect(fires).toHaveLength(3);
            expect(fires[0]).toBeGreaterThan(after);
            expect(fires[1]).toBeGreaterThan(fires[0] as number);
            expect(fires[2]).toBeGreaterThan(fires[1] as number);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(4000);
  });
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
