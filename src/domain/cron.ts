// Cron maths: checks expressions and time zones, and lists fire instants of an
// expression in a zone. croner 11 does the field matching and Vixie cron's DST
// rules; this module pins its options in one place and turns its errors into
// plain messages. Pure: it reads no clock, `after`/`before` are passed in.
import { Cron, type CronOptions } from 'croner';

export type CronCheck = { ok: true } | { ok: false; message: string };

/**
 * The options every expression is read with:
 * - 5 fields (minute first) or 6 (second first); croner's 7th (year) field is refused.
 * - day-of-month OR day-of-week when both are restricted (Vixie cron); `+MON` asks for AND.
 * - "single-value" fixed-time rule, the DESIGN §6 rule: one value in each of the second,
 *   minute and hour fields makes a fixed-time job (fires once in a repeated hour, after a
 *   gap when its time is skipped); anything else matches wall-clock times (both passes
 *   of a repeated hour, nothing in a gap). croner implements both behaviours natively,
 *   with one edge: a fixed time whose gap ends on the next local day does not fire that day.
 * - Sunday is 0 or 7; steps need a `*` or a range before the slash (`5/5` is refused).
 */
const CRON_OPTIONS: CronOptions = {
  mode: '5-or-6-parts',
  domAndDow: false,
  fixedTimeRule: 'single-value',
  alternativeWeekdays: false,
  sloppyRanges: false,
};

/** The macros croner expands (@yearly is 0 0 1 1 *, @weekly 0 0 * * 0, @hourly 0 * * * *);
 * `@reboot` is not a time and is refused. Case-insensitive. */
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const FIELDS_5 = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 7 },
] as const;
const FIELDS_6 = [{ name: 'second', min: 0, max: 59 }, ...FIELDS_5] as const;

/** Any match lies within 400 years of any instant (the Gregorian cycle is 400 years of
 * whole weeks), and croner searches up to the year 3000, so a search from here that finds
 * nothing proves the expression never fires. */
const NEVER_CHECK_FROM = Date.UTC(2000, 0, 1);

const EXPECTED =
  'expected 5 fields (minute hour day-of-month month day-of-week), 6 (second first) or a macro like @daily';

/** Checks an expression: syntax, value ranges, and that some date can match it. */
export function checkCron(expr: string): CronCheck {
  const parsed = parse(expr, 'UTC');
  if (!parsed.ok) return parsed;
  if (parsed.cron.nextRun(new Date(NEVER_CHECK_FROM)) === null) {
    return {
      ok: false,
      message:
        `${JSON.stringify(expr.trim())} never fires: no date matches its day-of-month, month and ` +
        'day-of-week fields together (like 30 February or 31 April)',
    };
  }
  return { ok: true };
}

/** Whether `tz` is an IANA time zone name this runtime knows (UTC, Europe/Paris, Etc/GMT+5). */
export function checkTimezone(tz: string): boolean {
  // Names only: offsets like "+02:00" have no DST rules and are refused on purpose.
  if (typeof tz !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The next `count` fire instants (epoch ms) strictly after `after`, earliest first, each
 * strictly later than the one before. Bounded however far away the fires are (croner
 * jumps field by field; `0 0 29 2 *` takes a few steps per leap year). Fewer than `count`
 * only if the expression stops matching (never for one that passed checkCron).
 * Throws an Error with checkCron's message for an invalid expression or zone.
 */
export function nextFireTimes(expr: string, timezone: string, after: number, count: number): number[] {
  checkCount(count);
  const cron = compile(expr, timezone);
  const fires: number[] = [];
  let cursor = after;
  let stalls = 0;
  while (fires.length < count) {
    let next: Date | null;
    try {
      next = cron.nextRun(new Date(cursor));
    } catch {
      // croner refuses instants outside the years it handles: nothing fires there.
      break;
    }
    if (next === null) break;
    const at = next.getTime();
    if (at <= cursor) {
      // croner promises progress; should it ever stall, search again from the end of
      // the second, and give up after a few tries rather than loop.
      if (++stalls > 3) break;
      cursor = Math.floor(cursor / 1000) * 1000 + 999;
      continue;
    }
    fires.push(at);
    cursor = at;
  }
  return fires;
}

/**
 * The previous `count` fire instants (epoch ms) strictly before `before`, latest first:
 * the same instants nextFireTimes lists, walked backwards (DST rules included).
 */
export function previousFireTimes(expr: string, timezone: string, before: number, count: number): number[] {
  checkCount(count);
  if (count === 0) return [];
  const cron = compile(expr, timezone);
  // croner counts a run earlier in the same second as the reference, so this is "< before".
  const fires = cron.previousRuns(count, new Date(before)).map((d) => d.getTime());
  return fires.filter((at, i) => at < before && (i === 0 || at < (fires[i - 1] as number)));
}

/** Parsed expressions by zone. A Cron that never runs a job keeps no state between
 * nextRun/previousRuns calls given a reference, so reusing one is safe; this memo is only
 * for speed (a scheduler asks about the same few expressions every tick). */
const compiled = new Map<string, Cron>();
const COMPILED_MAX = 500;

function compile(expr: string, timezone: string): Cron {
  const key = `${timezone}\n${expr}`;
  const hit = compiled.get(key);
  if (hit !== undefined) return hit;
  if (!checkTimezone(timezone)) {
    throw new Error(`expected an IANA time zone like UTC or Europe/Paris, got ${JSON.stringify(timezone)}`);
  }
  const parsed = parse(expr, timezone);
  if (!parsed.ok) throw new Error(parsed.message);
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, parsed.cron);
  return parsed.cron;
}

/** Syntax and ranges only; checkCron adds the "can it ever fire" search. */
function parse(expr: string, timezone: string): { ok: true; cron: Cron } | { ok: false; message: string } {
  if (typeof expr !== 'string' || expr.trim() === '') {
    return { ok: false, message: `${EXPECTED}, got ${JSON.stringify(expr)}` };
  }
  const text = expr.trim();
  if (text.startsWith('@')) {
    if (!MACROS.includes(text.toLowerCase())) {
      return {
        ok: false,
        message: `unknown macro ${JSON.stringify(text)}: expected one of ${MACROS.join(', ')}`,
      };
    }
  } else {
    const parts = text.split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) {
      return { ok: false, message: `${EXPECTED}, got ${parts.length} field${parts.length === 1 ? '' : 's'} in ${JSON.stringify(text)}` };
    }
    const rangeError = checkRanges(parts);
    if (rangeError !== null) return { ok: false, message: `${JSON.stringify(text)}: ${rangeError}` };
  }
  try {
    return { ok: true, cron: new Cron(text, { ...CRON_OPTIONS, timezone }) };
  } catch (error) {
    return { ok: false, message: `${JSON.stringify(text)}: ${cronerMessage(error)}` };
  }
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count: expected a whole number >= 0, got ${count}`);
  }
}

/** croner reports some out-of-range values shifted by one ("day: 31" for 32), so numbers
 * are checked here first, with the field's name and range. */
function checkRanges(parts: string[]): string | null {
  const fields = parts.length === 6 ? FIELDS_6 : FIELDS_5;
  for (let i = 0; i < parts.length; i++) {
    const field = fields[i];
    if (field === undefined) continue;
    // Numbers that are values, not a step (after /) or an nth weekday (after #).
    for (const m of (parts[i] as string).matchAll(/(^|[^/#\d])(\d+)/g)) {
      const n = Number(m[2]);
      if (n < field.min || n > field.max) {
        return `${field.name} ${m[2]} is out of range ${field.min}-${field.max}`;
      }
    }
  }
  return null;
}

function cronerMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return raw.replace(/^CronPattern:\s*/, '');
}
