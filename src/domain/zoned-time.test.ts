import { describe, expect, it } from 'vitest';
import { offsetAt, parseInstantInZone } from './zoned-time.js';

const iso = (r: ReturnType<typeof parseInstantInZone>): string => (r.ok ? new Date(r.ms).toISOString() : `error: ${r.message}`);

describe('parseInstantInZone', () => {
  it('reads a local date-time as wall-clock time in the zone (Berlin: +01:00 in winter, +02:00 in summer)', () => {
    expect(iso(parseInstantInZone('2019-01-01T00:00', 'Europe/Berlin'))).toBe('2018-12-31T23:00:00.000Z');
    expect(iso(parseInstantInZone('2019-03-31T23:59', 'Europe/Berlin'))).toBe('2019-03-31T21:59:00.000Z');
    expect(iso(parseInstantInZone('2019-07-01 09:00:30.5', 'Europe/Berlin'))).toBe('2019-07-01T07:00:30.500Z');
  });

  it('keeps an instant with Z or an offset as it is, whatever the zone', () => {
    expect(iso(parseInstantInZone('2019-01-01T08:00:00Z', 'Europe/Berlin'))).toBe('2019-01-01T08:00:00.000Z');
    expect(iso(parseInstantInZone('2019-01-01T09:00+01:00', 'America/New_York'))).toBe('2019-01-01T08:00:00.000Z');
    expect(iso(parseInstantInZone('2019-01-01T03:00:00-0500', 'UTC'))).toBe('2019-01-01T08:00:00.000Z');
    expect(iso(parseInstantInZone(Date.parse('2019-01-01T08:00:00Z'), 'Europe/Berlin'))).toBe('2019-01-01T08:00:00.000Z');
  });

  it('reads a time that happens twice (fall back, Berlin 2019-10-27) as its first occurrence', () => {
    expect(iso(parseInstantInZone('2019-10-27T02:30', 'Europe/Berlin'))).toBe('2019-10-27T00:30:00.000Z');
  });

  it('moves a time that does not exist (spring forward, Berlin 2019-03-31) past the gap', () => {
    expect(iso(parseInstantInZone('2019-03-31T02:30', 'Europe/Berlin'))).toBe('2019-03-31T01:30:00.000Z');
    expect(iso(parseInstantInZone('2019-03-31T03:00', 'Europe/Berlin'))).toBe('2019-03-31T01:00:00.000Z');
  });

  it('refuses what is not a date-time, or a date that does not exist, with the expected forms', () => {
    const soon = parseInstantInZone('soon', 'Europe/Berlin');
    expect(soon).toEqual({ ok: false, message: expect.stringContaining('like 2019-01-01T09:00 (read in the time zone Europe/Berlin)') });
    expect(parseInstantInZone('2019-02-30T00:00', 'UTC')).toEqual({ ok: false, message: expect.stringContaining('not a date and time that exists') });
    expect(parseInstantInZone('2019-01-01', 'UTC').ok).toBe(false);
    expect(parseInstantInZone(1.5, 'UTC').ok).toBe(false);
  });
});

describe('offsetAt', () => {
  it('tells the zone offset at an instant', () => {
    expect(offsetAt('Europe/Berlin', Date.parse('2019-01-01T12:00:00Z'))).toBe(3_600_000);
    expect(offsetAt('Europe/Berlin', Date.parse('2019-07-01T12:00:00Z'))).toBe(7_200_000);
    expect(offsetAt('America/New_York', Date.parse('2019-01-01T12:00:00.999Z'))).toBe(-5 * 3_600_000);
    expect(offsetAt('UTC', 0)).toBe(0);
  });
});
