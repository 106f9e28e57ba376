import { describe, expect, it } from 'vitest';
import { checkCron, checkTimezone, nextFireTimes, previousFireTimes } from './cron.js';

/** The reference instant for cases that only need "some time in 2026". */
const REFERENCE = Date.parse('2026-01-01T00:00:00Z');

const iso = (ms: number): string => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const next = (expr: string, tz: string, after: string | number, count: number): string[] =>
  nextFireTimes(expr, tz, typeof after === 'number' ? after : Date.parse(after), count).map(iso);

describe('checkCron', () => {
  it.each([
    '* * * * *',
    '*/5 * * * *',
    '0 9-17/2 * * MON-FRI',
    '0 0 1,15 * *',
    '30 4 1 JAN,jul *',
    '0 0 L * *',
    '0 0 LW * *',
    '0 0 15W * *',
    '0 9 * * FRI#L',
    '0 9 * * MON#2',
    '0 9 * * 5L',
    '0 0 * * 7',
    '0 0 ? * *',
    '0 0 29 2 *',
    '0 0 1 * +MON',
    '*/10 * * * * *',
    '0 30 2 * * *',
    '  0  0 * *   * ',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@DAILY',
  ])('accepts %j', (expr) => {
    expect(checkCron(expr)).toEqual({ ok: true });
  });

  it.each([
    ['', /expected 5 fields/],
    ['* * * *', /expected 5 fields .* got 4 fields/],
    ['0 0 0 * * * 2030', /got 7 fields/],
    ['60 * * * *', /minute 60 is out of range 0-59/],
    ['0 24 * * *', /hour 24 is out of range 0-23/],
    ['0 0 0 * *', /day-of-month 0 is out of range 1-31/],
    ['0 0 32 * *', /day-of-month 32 is out of range 1-31/],
    ['0 0 * 13 *', /month 13 is out of range 1-12/],
    ['0 0 * * 8', /day-of-week 8 is out of range 0-7/],
    ['61 * * * * *', /second 61 is out of range 0-59/],
    ['x 0 * * *', /illegal characters/],
    ['5/5 * * * *', /numeric prefix/],
    ['0 0 * * FRI#6', /nth weekday/],
    ['@reboot', /unknown macro "@reboot": expected one of @yearly/],
    ['@often', /unknown macro/],
  ])('rejects %j with a message saying what is wrong', (expr, message) => {
    const result = checkCron(expr);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it.each(['0 0 30 2 *', '0 0 31 4 *', '0 0 31 2,4,6,9,11 *', '0 0 30 2 +MON'])(
    'rejects %j, which can never fire',
    (expr) => {
      const result = checkCron(expr);
      expect(result).toEqual({ ok: false, message: expect.stringMatching(/never fires/) });
    },
  );
});

describe('checkTimezone', () => {
  it.each(['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Etc/GMT+5'])('accepts %s', (tz) => {
    expect(checkTimezone(tz)).toBe(true);
  });

  it.each(['', 'Mars/Olympus', 'Europe/Pariss', '+02:00', 'not a zone'])('refuses %j', (tz) => {
    expect(checkTimezone(tz)).toBe(false);
  });
});

describe('nextFireTimes', () => {
  it('fires a spring-forward fixed time once, at the end of the gap (New York, 2026-03-08)', () => {
    expect(next('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08T07:00Z',
      '2026-03-09T06:30Z',
      '2026-03-10T06:30Z',
    ]);
  });

  it('fires a fall-back fixed time once, at its first occurrence (New York, 2026-11-01)', () => {
    expect(next('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30Z',
      '2026-11-02T06:30Z',
    ]);
  });

  it('fires an interval expression on both passes of a repeated hour (Melbourne, 2024-04-07)', () => {
    expect(next('*/30 * * * *', 'Australia/Melbourne', '2024-04-06T14:50:00Z', 5)).toEqual([
      '2024-04-06T15:00Z',
      '2024-04-06T15:30Z',
      '2024-04-06T16:00Z',
      '2024-04-06T16:30Z',
      '2024-04-06T17:00Z',
    ]);
  });

  it('skips the wall-clock times an interval expression has in a gap (New York, 2026-03-08)', () => {
    expect(next('*/30 * * * *', 'America/New_York', '2026-03-08T06:00:00Z', 3)).toEqual([
      '2026-03-08T06:30Z', // 01:30 EST
      '2026-03-08T07:00Z', // 03:00 EDT: 02:00 and 02:30 do not exist
      '2026-03-08T07:30Z',
    ]);
  });

  it('fires on day-of-month OR day-of-week when both are restricted (61 times in 2026)', () => {
    const fires = nextFireTimes('0 0 13 * 5', 'UTC', REFERENCE - 1, 70).filter((at) => at < Date.parse('2027-01-01T00:00:00Z'));
    expect(fires).toHaveLength(61);
    expect(iso(fires[0] as number)).toBe('2026-01-02T00:00Z');
  });

  it('requires both when day-of-week starts with +', () => {
    expect(next('0 0 13 * +FRI', 'UTC', REFERENCE, 2)).toEqual(['2026-02-13T00:00Z', '2026-03-13T00:00Z']);
  });

  it('is exclusive of after and ignores its milliseconds', () => {
    expect(next('@daily', 'UTC', REFERENCE, 1)).toEqual(['2026-01-02T00:00Z']);
    expect(next('@daily', 'UTC', REFERENCE - 1, 1)).toEqual(['2026-01-01T00:00Z']);
    expect(nextFireTimes('* * * * * *', 'UTC', REFERENCE + 500, 2)).toEqual([REFERENCE + 1000, REFERENCE + 2000]);
  });

  it('finds 29 February years away, and Monday 29 February decades away', () => {
    expect(next('0 0 29 2 *', 'UTC', REFERENCE, 3)).toEqual(['2028-02-29T00:00Z', '2032-02-29T00:00Z', '2036-02-29T00:00Z']);
    expect(next('0 0 29 2 +MON', 'UTC', REFERENCE, 2)).toEqual(['2044-02-29T00:00Z', '2072-02-29T00:00Z']);
  });

  it('lists 1000 one-second fires, each a second after the last', () => {
    const fires = nextFireTimes('* * * * * *', 'Europe/Berlin', REFERENCE, 1000);
    expect(fires).toHaveLength(1000);
    fires.forEach((at, i) => expect(at).toBe(REFERENCE + (i + 1) * 1000));
  });

  it('reads six fields as seconds first', () => {
    expect(nextFireTimes('*/15 * * * * *', 'UTC', REFERENCE + 7_500, 4)).toEqual(
      [15, 30, 45, 60].map((s) => REFERENCE + s * 1000),
    );
    expect(next('0 30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 1)).toEqual(['2026-03-08T07:00Z']);
  });

  it('handles L, W and #', () => {
    expect(next('0 0 L * *', 'UTC', '2027-12-15T00:00:00Z', 4)).toEqual([
      '2027-12-31T00:00Z', '2028-01-31T00:00Z', '2028-02-29T00:00Z', '2028-03-31T00:00Z',
    ]);
    // 15 Feb and 15 Mar 2026 are Sundays, 15 Aug a Saturday; 1 Aug a Saturday, and W stays in the month.
    expect(next('0 0 15W * *', 'UTC', '2026-01-31T00:00:00Z', 7)).toEqual([
      '2026-02-16T00:00Z', '2026-03-16T00:00Z', '2026-04-15T00:00Z', '2026-05-15T00:00Z',
      '2026-06-15T00:00Z', '2026-07-15T00:00Z', '2026-08-14T00:00Z',
    ]);
    expect(next('0 0 1W * *', 'UTC', '2026-07-15T00:00:00Z', 1)).toEqual(['2026-08-03T00:00Z']);
    expect(next('0 0 LW * *', 'UTC', REFERENCE, 2)).toEqual(['2026-01-30T00:00Z', '2026-02-27T00:00Z']);
    expect(next('0 9 * * MON#2', 'UTC', REFERENCE, 2)).toEqual(['2026-01-12T09:00Z', '2026-02-09T09:00Z']);
    expect(next('0 9 * * FRI#L', 'UTC', REFERENCE, 2)).toEqual(['2026-01-30T09:00Z', '2026-02-27T09:00Z']);
  });

  it('expands macros and month and day names', () => {
    expect(next('@weekly', 'UTC', REFERENCE, 1)).toEqual(['2026-01-04T00:00Z']);
    expect(next('@hourly', 'UTC', REFERENCE, 1)).toEqual(['2026-01-01T01:00Z']);
    expect(next('@monthly', 'UTC', REFERENCE, 1)).toEqual(['2026-02-01T00:00Z']);
    expect(next('@yearly', 'Europe/Paris', REFERENCE, 1)).toEqual(['2026-12-31T23:00Z']);
    expect(next('0 9 * JAN,jul mon-fri', 'UTC', '2026-01-29T00:00:00Z', 4)).toEqual([
      '2026-01-29T09:00Z', '2026-01-30T09:00Z', '2026-07-01T09:00Z', '2026-07-02T09:00Z',
    ]);
  });

  it('returns nothing for a count of 0 and refuses a negative count', () => {
    expect(nextFireTimes('* * * * *', 'UTC', REFERENCE, 0)).toEqual([]);
    expect(() => nextFireTimes('* * * * *', 'UTC', REFERENCE, -1)).toThrow(/count/);
  });

  it('throws the checkers\' messages for a bad expression or zone', () => {
    expect(() => nextFireTimes('0 0 * 13 *', 'UTC', REFERENCE, 1)).toThrow(/month 13 is out of range/);
    expect(() => nextFireTimes('* * * * *', 'Mars/Olympus', REFERENCE, 1)).toThrow(/IANA time zone/);
  });
});

describe('previousFireTimes', () => {
  it('walks back over the instants nextFireTimes lists, across a fall-back hour', () => {
    const start = Date.parse('2026-10-31T12:00:00Z');
    for (const expr of ['30 1 * * *', '*/20 1-2 * * *', '0 * * * *']) {
      const forward = nextFireTimes(expr, 'America/New_York', start, 30);
      const last = forward[forward.length - 1] as number;
      expect(previousFireTimes(expr, 'America/New_York', last, 29).reverse()).toEqual(forward.slice(0, 29));
      expect(previousFireTimes(expr, 'America/New_York', last + 1, 1)).toEqual([last]);
    }
  });
});
