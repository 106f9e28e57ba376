// Response shapes for the OpenAPI document, mirroring presenters.ts. They only
// document: replies are written by stringifyJson, never by these schemas, so
// BigInt values in user data survive. Keep them in step with the presenters.
import { z } from 'zod';
import { EXECUTION_STATUSES, STEP_STATUSES, TRIGGERS } from '../../domain/execution.js';
import { OCCURRENCE_KINDS } from '../../domain/schedule-occurrence.js';

const instant = z.string().describe('ISO-8601 UTC instant');
const nullableInstant = instant.nullable();
const anyJson = z.unknown().describe('any JSON value');

export const ProblemWire = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('stable error code, see docs/errors.md'),
    errors: z.array(z.object({ path: z.string().describe('JSON pointer'), message: z.string() })),
  })
  .describe('RFC 9457 problem details');

/** Error answers, as `application/problem+json`. */
export const problemResponses = {
  '4xx': { description: 'A problem with the request', content: { 'application/problem+json': { schema: ProblemWire } } },
  '5xx': { description: 'A problem on the server', content: { 'application/problem+json': { schema: ProblemWire } } },
};

export const TaskWire = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  definition: anyJson.describe('the normalised task definition'),
  createdAt: instant,
  updatedAt: instant,
});

export const TaskVersionWire = z.object({
  taskId: z.string(),
  version: z.number().int(),
  definition: anyJson,
  createdAt: instant,
});

const ErrorWire = z.object({ kind: z.string(), message: z.string(), stepId: z.string().optional() }).nullable();

export const ExecutionWire = z.object({
  id: z.string(),
  taskId: z.string(),
  taskVersion: z.number().int(),
  scheduleId: z.string().nullable(),
  scheduledFor: nullableInstant,
  trigger: z.enum(TRIGGERS),
  status: z.enum(EXECUTION_STATUSES),
  input: anyJson,
  output: anyJson,
  error: ErrorWire,
  retryOf: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  createdAt: instant,
  startedAt: nullableInstant,
  finishedAt: nullableInstant,
});

export const StepWire = z.object({
  stepId: z.string(),
  path: z.string(),
  status: z.enum(STEP_STATUSES),
  attempts: z.number().int(),
  startedAt: nullableInstant,
  finishedAt: nullableInstant,
  output: anyJson,
  error: z.object({ kind: z.string(), message: z.string(), data: anyJson.optional() }).nullable(),
});

export const ExecutionViewWire = ExecutionWire.extend({ steps: z.array(StepWire) });

export const ScheduleWire = z.object({
  id: z.string(),
  taskId: z.string(),
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  input: anyJson,
  overlap: z.enum(['skip', 'allow', 'queue', 'cancel_previous']),
  catchup: z.enum(['latest', 'none', 'all']),
  catchupWindow: z.number().int().describe('milliseconds'),
  startAt: nullableInstant,
  endAt: nullableInstant,
  jitter: z.number().int().describe('milliseconds'),
  nextFireAt: nullableInstant,
  lastFireAt: nullableInstant,
  createdAt: instant,
  updatedAt: instant,
});

export const StorageWire = z.object({ namespace: z.string(), key: z.string(), value: anyJson, expiresAt: nullableInstant });

export const TimesWire = z.object({ times: z.array(instant) });

export const OccurrenceWire = z.object({
  instant: instant.describe('the fire instant'),
  kind: z.enum(OCCURRENCE_KINDS),
  reason: z.string(),
  executionId: z.string().nullable().describe('the execution started for it, if any'),
  recordedAt: instant,
});

export const BackfillWire = z.object({
  created: z.number().int().describe('executions created'),
  skipped: z.number().int().describe('occurrences in the range that already ran (or, with onlyMissed, were skipped on purpose)'),
  executionIds: z.array(z.string()),
  from: instant.describe('the range start as read'),
  to: instant.describe('the range end as read, capped at now'),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page') });

export const SeedExecutionWire = z.object({
  id: z.string(),
  task_id: z.string(),
  scheduled_task: z.string(),
  status: z.string().describe('success | failure | handled_failure (or the running status when the wait cap was reached)'),
  executed_time: instant,
});
