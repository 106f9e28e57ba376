// Turning what a user sends for a schedule (create or patch) into checked
// fields: every problem listed with its path, durations and instants parsed,
// cron and zone checked by the domain's cron module.
import { z } from 'zod';
import { checkCron, checkTimezone } from '../domain/cron.js';
import { parseDuration, parseInstant } from '../domain/duration.js';
import type { Problem } from '../domain/errors.js';
import type { JsonValue } from '../domain/json.js';
import type { CatchupPolicy, OverlapPolicy } from '../ports/schedule-store.js';

export const MAX_JITTER_MS = 3_600_000;
export const MAX_CATCHUP_WINDOW_MS = 30 * 86_400_000;

export interface ScheduleFields {
  task: string;
  name?: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  input: JsonValue;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
  catchupWindowMs: number;
  startAt: number | null;
  endAt: number | null;
  jitterMs: number;
}

const durationField = (max: number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const r = parseDuration(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    if (r.ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${max}ms, got ${r.ms}ms` });
      return z.NEVER;
    }
    return r.ms;
  });

const instantField = z.union([z.string(), z.number(), z.null()]).transform((v, ctx) => {
  if (v === null) return null;
  const r = parseInstant(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  }
  return r.ms;
});

const ScheduleSchema = z.strictObject({
  taskId: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  name: z.string().min(1).max(200).optional(),
  cron: z.string({ message: 'expected a cron expression like "0 9 * * 1-5"' }).min(1),
  timezone: z.string().default('UTC'),
  enabled: z.boolean().default(true),
  input: z.custom<JsonValue>(() => true).optional(),
  overlap: z.enum(['skip', 'allow', 'queue', 'cancel_previous']).default('skip'),
  catchup: z.enum(['latest', 'none', 'all']).default('latest'),
  catchupWindow: durationField(MAX_CATCHUP_WINDOW_MS).default(3_600_000),
  startAt: instantField.default(null),
  endAt: instantField.default(null),
  jitter: durationField(MAX_JITTER_MS).default(0),
});

/** Validates schedule fields; returns them or every problem found. */
export function parseScheduleFields(raw: unknown): { ok: true; fields: ScheduleFields } | { ok: false; problems: Problem[] } {
  const parsed = ScheduleSchema.safeParse(raw);
  const problems: Problem[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: `/${i.path.map(String).join('/')}`, message: i.message }));
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof body['cron'] === 'string') {
    const cron = checkCron(body['cron']);
    if (!cron.ok) problems.push({ path: '/cron', message: cron.message });
  }
  if (typeof body['timezone'] === 'string' && !checkTimezone(body['timezone'])) {
    problems.push({ path: '/timezone', message: `unknown time zone ${JSON.stringify(body['timezone'])}: expected an IANA name like Europe/Berlin or UTC` });
  }
  if (body['taskId'] === undefined && body['task'] === undefined) problems.push({ path: '/taskId', message: "required: the task's id or name" });
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const d = parsed.data;
  if (d.startAt !== null && d.endAt !== null && d.endAt <= d.startAt) {
    return { ok: false, problems: [{ path: '/endAt', message: 'must be later than startAt' }] };
  }
  return {
    ok: true,
    fields: {
      task: (d.taskId ?? d.task) as string,
      ...(d.name !== undefined ? { name: d.name } : {}),
      cron: d.cron.trim(),
      timezone: d.timezone,
      enabled: d.enabled,
      input: d.input ?? {},
      overlap: d.overlap,
      catchup: d.catchup,
      catchupWindowMs: d.catchupWindow,
      startAt: d.startAt,
      endAt: d.endAt,
      jitterMs: d.jitter,
    },
  };
}
