// Durations in definitions and configuration: a number of milliseconds or a
// string like 500ms, 10s, 5m, 1h, 2d (and combinations like 1h30m).
// Parsing never guesses: anything else is an error that says what was expected.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

export function parseDuration(value: unknown): DurationResult {
  const fail = (): DurationResult => ({
    ok: false,
    message: `expected a duration like 10s, 500ms or 5m (or a number of milliseconds), got ${JSON.stringify(value)}`,
  });
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? { ok: true, ms: Math.round(value) } : fail();
  }
  if (typeof value !== 'string') return fail();
  let rest = value.trim();
  if (rest === '') return fail();
  if (/^\d+$/.test(rest)) return { ok: true, ms: Number(rest) };
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_RE.exec(rest);
    if (!m) return fail();
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length).trimStart();
  }
  return { ok: true, ms: Math.round(total) };
}

/** Parses a duration or throws; for values already validated. */
export function durationMs(value: unknown): number {
  const r = parseDuration(value);
  if (!r.ok) throw new Error(r.message);
  return r.ms;
}

/** Formats milliseconds the way users write them (1500 -> "1.5s"). */
export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Instants the service handles: the cron maths works up to the year 3000. */
export const MIN_INSTANT_MS = 0;
export const MAX_INSTANT_MS = Date.UTC(3000, 0, 1) - 1;

/** Reads an ISO-8601 instant or epoch milliseconds; an error message when it is not one or is out of range. */
export function parseInstant(value: string | number): { ok: true; ms: number } | { ok: false; message: string } {
  const ms = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) return { ok: false, message: `expected an ISO-8601 instant like 2026-01-31T09:00:00Z, got ${JSON.stringify(value)}` };
  if (ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) return { ok: false, message: `expected an instant between 1970 and 2999, got ${JSON.stringify(value)}` };
  return { ok: true, ms };
}
