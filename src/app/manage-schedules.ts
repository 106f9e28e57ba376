// Schedules: create, read, patch, pause/resume, delete, trigger now, preview.
// Every change recomputes the next fire instant from now, so a paused or
// edited schedule never replays the fires it was not meant to make.
import { nextFireTimes } from '../domain/cron.js';
import { problemCount, TaskerError } from '../domain/errors.js';
import type { Execution } from '../domain/execution.js';
import type { Page, TaskRecord } from '../ports/task-store.js';
import { checkInput } from '../domain/input-schema.js';
import type { JsonValue } from '../domain/json.js';
import type { Schedule } from '../ports/schedule-store.js';
import type { AppDeps } from './deps.js';
import { clampLimit, type ManageTasks } from './manage-tasks.js';
import { parseScheduleFields, type ScheduleFields } from './schedule-input.js';
import type { StartExecution } from './start-execution.js';
import type { ScheduleInput } from './tasker.js';

export const MAX_PREVIEW = 1000;

export class ManageSchedules {
  constructor(
    private readonly deps: AppDeps,
    private readonly tasks: ManageTasks,
    private readonly starter: StartExecution,
    /** Wakes the scheduler loop when fire instants change. */
    private readonly onChange: () => void,
  ) {}

  async create(raw: ScheduleInput): Promise<Schedule> {
    const fields = this.fields(raw);
    const task = await this.taskFor(fields.task);
    checkScheduleInput(task, fields.input);
    const now = this.deps.clock.now();
    const schedule: Schedule = {
      id: this.deps.newId(),
      ...scheduleFields(fields, task.id, `${task.name} ${fields.cron}`),
      nextFireAt: null,
      lastFireAt: null,
      createdAt: now,
      updatedAt: now,
    };
    schedule.nextFireAt = firstFireAfter(schedule, now);
    const created = await this.deps.schedules.create(schedule);
    this.onChange();
    return created;
  }

  async get(id: string): Promise<Schedule> {
    const schedule = await this.deps.schedules.get(id);
    if (!schedule) throw new TaskerError('SCHEDULE_NOT_FOUND', `no schedule with id '${id}'`);
    return schedule;
  }

  async list(options: { limit?: number; cursor?: string; task?: string }): Promise<Page<Schedule>> {
    const taskId = options.task ? (await this.tasks.get(options.task)).id : undefined;
    return this.deps.schedules.list({ limit: clampLimit(options.limit), ...(options.cursor ? { cursor: options.cursor } : {}), ...(taskId ? { taskId } : {}) });
  }

  async update(id: string, patch: ScheduleInput): Promise<Schedule> {
    const current = await this.get(id);
    const merged: Record<string, unknown> = {
      taskId: current.taskId,
      name: current.name,
      cron: current.cron,
      timezone: current.timezone,
      enabled: current.enabled,
      input: current.input,
      overlap: current.overlap,
      catchup: current.catchup,
      catchupWindow: current.catchupWindowMs,
      startAt: current.startAt,
      endAt: current.endAt,
      jitter: current.jitterMs,
      ...patch,
    };
    if ('task' in patch) delete merged['taskId'];
    for (const readOnly of ['id', 'nextFireAt', 'lastFireAt', 'createdAt', 'updatedAt']) delete merged[readOnly];
    const fields = this.fields(merged);
    const task = await this.taskFor(fields.task);
    checkScheduleInput(task, fields.input);
    const now = this.deps.clock.now();
    const next: Schedule = { ...current, ...scheduleFields(fields, task.id, current.name), updatedAt: now };
    next.nextFireAt = firstFireAfter(next, now);
    const stored = await this.deps.schedules.update(next);
    if (!stored) throw new TaskerError('SCHEDULE_NOT_FOUND', `no schedule with id '${id}'`);
    this.onChange();
    return stored;
  }

  setEnabled(id: string, enabled: boolean): Promise<Schedule> {
    return this.update(id, { enabled });
  }

  async delete(id: string): Promise<void> {
    if (!(await this.deps.schedules.delete(id))) throw new TaskerError('SCHEDULE_NOT_FOUND', `no schedule with id '${id}'`);
    this.onChange();
  }

  async trigger(id: string): Promise<Execution> {
    const schedule = await this.get(id);
    const { execution } = await this.starter.start({ task: schedule.taskId, input: schedule.input, trigger: 'manual', scheduleId: schedule.id });
    return execution;
  }

  async next(id: string, count: number): Promise<number[]> {
    const schedule = await this.get(id);
    const n = Math.min(Math.max(1, count), MAX_PREVIEW);
    const from = Math.max(this.deps.clock.now(), (schedule.startAt ?? 0) - 1);
    return nextFireTimes(schedule.cron, schedule.timezone, from, n).filter((t) => schedule.endAt === null || t <= schedule.endAt);
  }

  private fields(raw: unknown) {
    const parsed = parseScheduleFields(raw);
    if (!parsed.ok) throw new TaskerError('SCHEDULE_INVALID', problemCount('the schedule', parsed.problems.length), parsed.problems);
    return parsed.fields;
  }

  private async taskFor(idOrName: string) {
    const task = await this.deps.tasks.find(idOrName);
    if (!task) throw new TaskerError('SCHEDULE_INVALID', `no task with id or name '${idOrName}'`, [{ path: '/taskId', message: `no task with id or name '${idOrName}'` }]);
    return task;
  }
}

/** The user-settable part of a schedule, from checked fields. */
function scheduleFields(fields: ScheduleFields, taskId: string, defaultName: string) {
  return {
    taskId,
    name: fields.name ?? defaultName,
    cron: fields.cron,
    timezone: fields.timezone,
    enabled: fields.enabled,
    input: fields.input,
    overlap: fields.overlap,
    catchup: fields.catchup,
    catchupWindowMs: fields.catchupWindowMs,
    startAt: fields.startAt,
    endAt: fields.endAt,
    jitterMs: fields.jitterMs,
  };
}

/** A schedule's input must fit its task's input schema now; it is checked again at each fire. */
function checkScheduleInput(task: TaskRecord, input: JsonValue): void {
  const problems = checkInput(task.definition.input, input);
  if (problems.length > 0) throw new TaskerError('SCHEDULE_INVALID', `the schedule's input does not match the input schema of task '${task.name}'`, problems);
}

/** The first fire strictly after `now`, within [startAt, endAt]; null when there is none. */
export function firstFireAfter(schedule: Pick<Schedule, 'cron' | 'timezone' | 'startAt' | 'endAt' | 'enabled'>, now: number): number | null {
  if (!schedule.enabled) return null;
  const after = Math.max(now, (schedule.startAt ?? 0) - 1);
  const [next] = nextFireTimes(schedule.cron, schedule.timezone, after, 1);
  if (next === undefined || (schedule.endAt !== null && next > schedule.endAt)) return null;
  return next;
}
