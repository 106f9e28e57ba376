// `tasker cron <expr> [--tz] [--from] [--count]`: the next fire instants of a
// cron expression, in ISO UTC with the local time in the zone alongside.
// The cron maths is the Tasker's (the same as the API's preview).
import { CliUsageError, EXIT_OK } from './cli-errors.js';
import { withOfflineRuntime } from './offline-runtime.js';

export interface CronOptions {
  tz: string;
  from?: string;
  count: string;
}

function parseFrom(value: string | undefined): number {
  if (value === undefined) return Date.now();
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new CliUsageError(`--from: expected an ISO-8601 instant like 2025-01-31T09:00:00Z, got ${JSON.stringify(value)}`);
  return ms;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new CliUsageError(`--count: expected an integer from 1 to 100, got ${JSON.stringify(value)}`);
  return n;
}

/** `Wed 2025-01-01 10:00:00 CET` in the given zone. */
export function formatLocal(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`;
}

export async function cronCommand(expr: string, options: CronOptions, out: (line: string) => void): Promise<number> {
  const from = parseFrom(options.from);
  const count = parseCount(options.count);
  const times = await withOfflineRuntime((runtime) => runtime.tasker.previewCron(expr, options.tz, from, count));
  if (times.length === 0) out('(no fire instants)');
  for (const t of times) out(`${new Date(t).toISOString()}  ${formatLocal(t, options.tz)}`);
  return EXIT_OK;
}
