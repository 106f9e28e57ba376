// Reads a date-time as a user writes it: an ISO-8601 instant (with `Z` or an offset), epoch
// milliseconds, or a local date-time without offset read as wall-clock time in a zone (a
// schedule's). Pure: Intl supplies the zone rules; nothing here reads the clock.

export type InstantResult = { ok: true; ms: number } | { ok: false; message: string };

const DAY = 86_400_000;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch ms of `value`. A local date-time (`2019-01-01T09:00`, seconds optional) is wall-clock
 * time in `timezone`, with the rules of Temporal's `compatible` disambiguation: a time that
 * happens twice (fall back) is its first occurrence; a time that does not exist (spring
 * forward) is moved forward by the length of the gap (02:30 in a 02:00→03:00 gap is 03:30).
 */
export function parseInstantInZone(value: string | number, timezone: string): InstantResult {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { ok: true, ms: value } : { ok: false, message: `expected epoch milliseconds as a whole number, got ${value}` };
  }
  const bad: InstantResult = {
    ok: false,
    message:
      `expected an ISO-8601 instant like 2019-01-01T08:00:00Z, or a local date-time like 2019-01-01T09:00 ` +
      `(read in the time zone ${timezone}), got ${JSON.stringify(value)}`,
  };
  const m = DATE_TIME.exec(value.trim());
  if (m === null) return bad;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d ||
    check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s
  ) {
    return { ok: false, message: `${JSON.stringify(value)} is not a date and time that exists on the calendar` };
  }
  const offset = m[8];
  if (offset !== undefined) {
    if (offset === 'Z' || offset === 'z') return { ok: true, ms: wall };
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    if (minutes >= 24 * 60) return bad;
    return { ok: true, ms: wall - sign * minutes * 60_000 };
  }
  return { ok: true, ms: localToInstant(wall, timezone) };
}

/** The instant whose wall-clock time in `timezone` is `wall` (a UTC-encoded local time). */
function localToInstant(wall: number, timezone: string): number {
  const before = offsetAt(timezone, wall - DAY);
  const after = offsetAt(timezone, wall + DAY);
  const matches = [...new Set([wall - before, wall - after])]
    .filter((at) => at + offsetAt(timezone, at) === wall)
    .sort((a, b) => a - b);
  // No match: the local time is in a gap; the offset from before the gap moves it past it.
  return matches[0] ?? wall - before;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `at`, in ms (Europe/Berlin in winter: 3_600_000). */
export function offsetAt(timezone: string, at: number): number {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timezone, format);
  }
  const parts = format.formatToParts(new Date(at));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  const whole = Math.floor(at / 1000) * 1000;
  return Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - whole;
}
