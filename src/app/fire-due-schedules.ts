// One scheduler pass: for every enabled schedule whose next fire instant has
// come, decide (domain: planSchedule) which fires to run after any downtime,
// start one execution per fire, then move the schedule's fire state forward.
// Exactly once per (schedule, instant) is the store's unique index, not this
// code: a second scheduler inserting the same fire gets the first execution.
import { TaskerError } from '../domain/errors.js';
import { planSchedule } from '../domain/schedule-plan.js';
import { unitHash } from '../domain/retry-backoff.js';
import type { Schedule } from '../ports/schedule-store.js';
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
      for (const schedule of due) {
        try {
          await this.fireSchedule(schedule, now, result);
        } catch (err) {
          result.errors++;
          this.deps.logger.error({ err, scheduleId: schedule.id }, 'schedule fire failed');
        }
      }
      if (due.length < BATCH) break;
    }
    return result;
  }

  private async fireSchedule(schedule: Schedule, now: number, result: FireResult): Promise<void> {
    const log = this.deps.logger.child({ scheduleId: schedule.id });
    const plan = planSchedule(schedule, now, this.deps.settings.lateToleranceMs);
    if (plan.missed.length > 0) log.warn({ missed: plan.missed.length, catchup: schedule.catchup }, 'schedule missed fires while down');
    for (const instant of plan.fire) {
      let id: string | null;
      try {
        id = await this.fireOnce(schedule, instant, log);
      } catch (err) {
        // A fire the user must fix (the task was deleted, the schedule's input
        // no longer matches the task's schema) is logged and passed over, so
        // the schedule moves on; anything else is retried on the next pass.
        if (!(err instanceof TaskerError) || err.status >= 500) throw err;
        log.error({ err, instant: new Date(instant).toISOString(), code: err.code, problems: err.problems }, 'schedule fire refused');
        continue;
      }
      if (id) {
        result.fired++;
        result.executionIds.push(id);
      }
    }
    const moved = await this.deps.schedules.advance(schedule.id, schedule.nextFireAt, { nextFireAt: plan.nextFireAt, lastFireAt: plan.lastFireAt });
    if (!moved) log.debug({}, 'another scheduler advanced this schedule first');
  }

  /** Starts the run for one fire instant, applying the overlap policy. Returns the execution id, if one was started. */
  private async fireOnce(schedule: Schedule, instant: number, log: AppDeps['logger']): Promise<string | null> {
    let hold = false;
    if (schedule.overlap !== 'allow') {
      const active = (await this.deps.executions.listActiveForSchedule(schedule.id)).filter((e) => e.scheduledFor !== instant);
      if (active.length > 0) {
        if (schedule.overlap === 'skip') {
          log.info({ instant: new Date(instant).toISOString(), running: active.map((e) => e.id) }, 'fire skipped: a run of this schedule is still active (overlap skip)');
          return null;
        }
        if (schedule.overlap === 'queue') {
          if (active.some((e) => e.status === 'queued' && e.trigger === 'schedule')) {
            log.info({ instant: new Date(instant).toISOString() }, 'fire skipped: one run is already pending (overlap queue)');
            return null;
          }
          hold = true;
        }
        if (schedule.overlap === 'cancel_previous') {
          for (const previous of active) {
            await this.canceler.cancel(previous.id, `canceled by the run for ${new Date(instant).toISOString()} (overlap cancel_previous)`).catch(() => undefined);
          }
        }
      }
    }
    const jitter = schedule.jitterMs > 0 ? Math.floor(unitHash(`${schedule.id}@${instant}`) * schedule.jitterMs) : 0;
    const { execution, created } = await this.starter.start({
      task: schedule.taskId,
      input: schedule.input,
      trigger: 'schedule',
      scheduleId: schedule.id,
      scheduledFor: instant,
      runAt: instant + jitter,
      hold,
    });
    if (created) log.info({ instant: new Date(instant).toISOString(), executionId: execution.id }, 'schedule fired');
    return created ? execution.id : null;
  }
}
