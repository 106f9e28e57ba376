// One scheduler pass: for every enabled schedule whose next fire instant has
// come, decide (domain: planSchedule) which fires to run after any downtime,
// start one execution per fire, then move the schedule's fire state forward.
// Exactly once per (schedule, instant) is the store's unique index, not this
// code: a second scheduler inserting the same fire gets the first execution.
import { TaskerError } from '../domain/errors.js';
import { planSchedule } from '../domain/schedule-plan.js';
import { missedOccurrences, type OccurrenceKind } from '../domain/schedule-occurrence.js';
import { unitHash } from '../domain/retry-backoff.js';
import type { Execution } from '../domain/execution.js';
import type { Occurrence } from '../ports/occurrence-store.js';
import type { Schedule } from '../ports/schedule-store.js';
import type { TaskRecord } from '../ports/task-store.js';
import type { CancelExecution } from './cancel-execution.js';
import type { AppDeps } from './deps.js';
import type { StartExecution } from './start-execution.js';

const BATCH = 100;
const MAX_BATCHES_PER_PASS = 50;

export interface FireResult {
  fired: number;
  executionIds: string[];
  /** Schedules that could not be handled this pass (infrastructure errors); the loop backs off. */
  errors: number;
}

/** A schedule's fire state after a pass. */
type Advance = { nextFireAt: number | null; lastFireAt: number | null };

/** Reads shared by the schedules of one batch. */
interface Batch {
  /** Tasks by id, each read once per batch (the read is shared by the fires that wait for it). */
  tasks: Map<string, Promise<TaskRecord | null>>;
  /** Unfinished runs by schedule id (overlap), kept current as the batch starts and cancels runs. */
  active: Map<string, Execution[]>;
}

/** What one fire came to: an execution (new, or the one another scheduler made), or a skip. */
type FireOutcome = { executionId: string; created: boolean; note: string } | { skipped: string };

export class FireDueSchedules {
  constructor(
    private readonly deps: AppDeps,
    private readonly starter: StartExecution,
    private readonly canceler: CancelExecution,
  ) {}

  async fireDue(): Promise<FireResult> {
    const result: FireResult = { fired: 0, executionIds: [], errors: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const now = this.deps.clock.now();
      const due = await this.deps.schedules.listDue(now, BATCH);
      await this.fireBatch(due, now, result);
      if (due.length < BATCH) break;
    }
    return result;
  }

  /**
   * Fires a batch of due schedules with shared reads (each task once, the
   * active runs of every schedule that checks overlap in one query) and one
   * ledger write, then moves each fired schedule forward. A schedule whose
   * fire fails is not moved: the next pass tries it again.
   */
  private async fireBatch(due: readonly Schedule[], now: number, result: FireResult): Promise<void> {
    if (due.length === 0) return;
    const batch: Batch = { tasks: new Map(), active: new Map() };
    const checked = due.filter((s) => s.overlap !== 'allow').map((s) => s.id);
    for (const execution of await this.deps.executions.listActiveForSchedules(checked)) {
      if (execution.scheduleId !== null) batch.active.set(execution.scheduleId, [...(batch.active.get(execution.scheduleId) ?? []), execution]);
    }
    // The schedules of a batch fire side by side (each one's own fires in
    // order), as many at a time as the database takes (fireConcurrency):
    // their writes then share commits instead of taking turns, and a burst
    // leaves connections of a server's pool to the API and the workers. The
    // results are gathered in schedule order, so the answer does not depend
    // on timing.
    const outcomes = await mapInOrder(due, this.deps.settings.fireConcurrency, async (schedule) => {
      const own: FireResult = { fired: 0, executionIds: [], errors: 0 };
      try {
        return { schedule, own, done: await this.fireSchedule(schedule, now, own, batch) };
      } catch (err) {
        this.deps.logger.error({ err, scheduleId: schedule.id }, 'schedule fire failed');
        return { schedule, own, done: undefined };
      }
    });
    const ledger: Occurrence[] = [];
    const fired: Array<{ schedule: Schedule; next: Advance }> = [];
    for (const { schedule, own, done } of outcomes) {
      result.fired += own.fired;
      result.executionIds.push(...own.executionIds);
      if (done === undefined) {
        result.errors++;
        continue;
      }
      ledger.push(...done.ledger);
      fired.push({ schedule, next: done.next });
    }
    await this.record(ledger, this.deps.logger);
    try {
      const moved = await this.deps.schedules.advanceMany(fired.map(({ schedule, next }) => ({ id: schedule.id, expectedNextFireAt: schedule.nextFireAt, next })));
      moved.forEach((ok, i) => {
        if (!ok) this.deps.logger.debug({ scheduleId: fired[i]?.schedule.id }, 'another scheduler advanced this schedule first');
      });
    } catch (err) {
      // Not moved: the next pass finds these due again; their fires exist and are not repeated (unique index).
      result.errors += fired.length;
      this.deps.logger.error({ err, schedules: fired.length }, 'schedules not advanced; the next pass retries them');
    }
  }

  /** Starts the schedule's due fires; returns its ledger rows (the caller records them and advances it). */
  private async fireSchedule(schedule: Schedule, now: number, result: FireResult, batch: Batch): Promise<{ ledger: Occurrence[]; next: Advance }> {
    const log = this.deps.logger.child({ scheduleId: schedule.id });
    const tolerance = this.deps.settings.lateToleranceMs;
    const plan = planSchedule(schedule, now, tolerance);
    if (plan.missed.length > 0) log.warn({ missed: plan.missed.length, catchup: schedule.catchup }, 'schedule missed fires while down');
    // The ledger rows of this pass, recorded together before the schedule moves on.
    const row = (instant: number, kind: OccurrenceKind, reason: string, executionId: string | null = null): Occurrence =>
      ({ scheduleId: schedule.id, instant, kind, reason, executionId, recordedAt: now });
    const ledger = missedOccurrences(schedule, plan, now, tolerance).map((m) => row(m.instant, 'missed', m.reason));
    for (const instant of plan.fire) {
      let outcome: FireOutcome;
      try {
        outcome = await this.fireOnce(schedule, instant, log, batch);
      } catch (err) {
        // A fire the user must fix (the task was deleted, the schedule's input
        // no longer matches the task's schema) is logged and passed over, so
        // the schedule moves on; anything else is retried on the next pass.
        if (!(err instanceof TaskerError) || err.status >= 500) throw err;
        log.error({ err, instant: new Date(instant).toISOString(), code: err.code, problems: err.problems }, 'schedule fire refused');
        const problems = err.problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ');
        ledger.push(row(instant, 'skipped', `refused (${err.code}): ${err.message}${problems ? ` (${problems})` : ''}`));
        continue;
      }
      if ('skipped' in outcome) {
        ledger.push(row(instant, 'skipped', outcome.skipped));
        continue;
      }
      const when = plan.afterDowntime ? `started late after downtime (catch-up ${schedule.catchup})` : 'on time';
      ledger.push(row(instant, plan.afterDowntime ? 'caught_up' : 'fired', when + outcome.note, outcome.executionId));
      if (outcome.created) {
        result.fired++;
        result.executionIds.push(outcome.executionId);
      }
    }
    return { ledger, next: { nextFireAt: plan.nextFireAt, lastFireAt: plan.lastFireAt } };
  }

  /** Starts the run for one fire instant, applying the overlap policy. Says what became of the fire. */
  private async fireOnce(schedule: Schedule, instant: number, log: AppDeps['logger'], batch: Batch): Promise<FireOutcome> {
    let hold = false;
    let note = '';
    if (schedule.overlap !== 'allow') {
      const active = (batch.active.get(schedule.id) ?? []).filter((e) => e.scheduledFor !== instant);
      if (active.length > 0) {
        if (schedule.overlap === 'skip') {
          log.info({ instant: new Date(instant).toISOString(), running: active.map((e) => e.id) }, 'fire skipped: a run of this schedule is still active (overlap skip)');
          return { skipped: `overlap skip: a run of this schedule was still active (execution ${active.map((e) => e.id).join(', ')})` };
        }
        if (schedule.overlap === 'queue') {
          const pending = active.find((e) => e.status === 'queued' && e.trigger === 'schedule');
          if (pending) {
            log.info({ instant: new Date(instant).toISOString() }, 'fire skipped: one run is already pending (overlap queue)');
            return { skipped: `overlap queue: one run was already pending (execution ${pending.id})` };
          }
          hold = true;
          note = `; held until execution ${active.map((e) => e.id).join(', ')} ends (overlap queue)`;
        }
        if (schedule.overlap === 'cancel_previous') {
          for (const previous of active) {
            await this.canceler.cancel(previous.id, `canceled by the run for ${new Date(instant).toISOString()} (overlap cancel_previous)`).catch(() => undefined);
          }
          batch.active.set(schedule.id, (batch.active.get(schedule.id) ?? []).filter((e) => !active.includes(e)));
          note = `; canceled execution ${active.map((e) => e.id).join(', ')} (overlap cancel_previous)`;
        }
      }
    }
    const jitter = schedule.jitterMs > 0 ? Math.floor(unitHash(`${schedule.id}@${instant}`) * schedule.jitterMs) : 0;
    let read = batch.tasks.get(schedule.taskId);
    if (read === undefined) {
      read = this.deps.tasks.find(schedule.taskId);
      batch.tasks.set(schedule.taskId, read);
    }
    const task = await read;
    if (!task) throw new TaskerError('TASK_NOT_FOUND', `no task with id or name '${schedule.taskId}'`);
    const { execution, created } = await this.starter.start({
      task: schedule.taskId,
      resolvedTask: task,
      input: schedule.input,
      trigger: 'schedule',
      scheduleId: schedule.id,
      scheduledFor: instant,
      runAt: instant + jitter,
      hold,
    });
    // Later fires of this schedule in the pass see this run (overlap), as a fresh read would.
    if (schedule.overlap !== 'allow') batch.active.set(schedule.id, [...(batch.active.get(schedule.id) ?? []), execution]);
    if (created) log.info({ instant: new Date(instant).toISOString(), executionId: execution.id }, 'schedule fired');
    return { executionId: execution.id, created, note };
  }

  /** Writes the pass's ledger rows. The ledger is a record: failing to write it is logged, never
   * a reason to hold the schedule back (its fires have started already). */
  private async record(rows: Occurrence[], log: AppDeps['logger']): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.deps.occurrences.record(rows);
    } catch (err) {
      log.error({ err, rows: rows.length }, 'schedule ledger not recorded');
    }
  }
}

/** `fn` over `items`, at most `limit` at a time; the results in the items' order. */
async function mapInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}
