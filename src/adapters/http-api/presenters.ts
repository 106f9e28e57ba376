// The one place where records from the Tasker interface become wire shapes
// (DESIGN §7): camelCase, instants as ISO-8601 UTC strings, durations in ms.
// Presenters copy fields; they never look anything up or change meaning.
import type { Execution } from '../../domain/execution.js';
import type { ExecutionView, StepView } from '../../app/tasker.js';
import type { TaskRecord, TaskVersionRecord } from '../../ports/task-store.js';
import type { Schedule } from '../../ports/schedule-store.js';
import type { KvEntry } from '../../ports/kv-store.js';
import type { Occurrence } from '../../ports/occurrence-store.js';
import type { BackfillResult } from '../../app/backfill-schedule.js';

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function presentTask(task: TaskRecord) {
  return {
    id: task.id,
    name: task.name,
    version: task.version,
    definition: task.definition,
    createdAt: iso(task.createdAt),
    updatedAt: iso(task.updatedAt),
  };
}

export function presentTaskVersion(version: TaskVersionRecord) {
  return {
    taskId: version.taskId,
    version: version.version,
    definition: version.definition,
    createdAt: iso(version.createdAt),
  };
}

export function presentExecution(execution: Execution) {
  return {
    id: execution.id,
    taskId: execution.taskId,
    taskVersion: execution.taskVersion,
    scheduleId: execution.scheduleId,
    scheduledFor: iso(execution.scheduledFor),
    trigger: execution.trigger,
    status: execution.status,
    input: execution.input,
    output: execution.output,
    error: execution.error,
    retryOf: execution.retryOf,
    idempotencyKey: execution.idempotencyKey,
    createdAt: iso(execution.createdAt),
    startedAt: iso(execution.startedAt),
    finishedAt: iso(execution.finishedAt),
  };
}

export function presentStep(step: StepView) {
  return {
    stepId: step.stepId,
    path: step.path,
    status: step.status,
    attempts: step.attempts,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    output: step.output,
    error: step.error,
  };
}

export function presentExecutionView(view: ExecutionView) {
  return { ...presentExecution(view), steps: view.steps.map(presentStep) };
}

export function presentSchedule(schedule: Schedule) {
  return {
    id: schedule.id,
    taskId: schedule.taskId,
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    enabled: schedule.enabled,
    input: schedule.input,
    overlap: schedule.overlap,
    catchup: schedule.catchup,
    catchupWindow: schedule.catchupWindowMs,
    startAt: iso(schedule.startAt),
    endAt: iso(schedule.endAt),
    jitter: schedule.jitterMs,
    nextFireAt: iso(schedule.nextFireAt),
    lastFireAt: iso(schedule.lastFireAt),
    createdAt: iso(schedule.createdAt),
    updatedAt: iso(schedule.updatedAt),
  };
}

export function presentStorage(entry: KvEntry) {
  return { namespace: entry.namespace, key: entry.key, value: entry.value, expiresAt: iso(entry.expiresAt) };
}

export function presentTimes(times: readonly number[]) {
  return { times: times.map((t) => iso(t) as string) };
}

export function presentOccurrence(occurrence: Occurrence) {
  return {
    instant: iso(occurrence.instant),
    kind: occurrence.kind,
    reason: occurrence.reason,
    executionId: occurrence.executionId,
    recordedAt: iso(occurrence.recordedAt),
  };
}

export function presentBackfill(result: BackfillResult) {
  return { created: result.created, skipped: result.skipped, executionIds: result.executionIds, from: iso(result.from), to: iso(result.to) };
}

/** The seed's execution answer: status success | failure | handled_failure. */
export function presentSeedExecution(execution: Execution, scheduleId: string) {
  const status =
    execution.status === 'succeeded' ? 'success'
      : execution.status === 'handled_failure' ? 'handled_failure'
        : ['failed', 'canceled', 'timed_out'].includes(execution.status) ? 'failure'
          : execution.status;
  return {
    id: execution.id,
    task_id: execution.taskId,
    scheduled_task: scheduleId,
    status,
    executed_time: iso(execution.startedAt ?? execution.createdAt),
  };
}
