// Backfill: one execution per occurrence of a schedule's cron expression in a past range,
// started through the scheduler's own path (trigger `schedule`, scheduledFor = the
// occurrence). The executions unique index (schedule, scheduled_for) and the ledger keep it
// from ever starting a second run of an occurrence that already ran. No overlap policy
// applies: the runs are queued at once and run as workers are free.
import { nextFireTimes } from '../domain/cron.js';
import { TaskerError } from '../domain/errors.js';
import { RAN_KINDS } from '../domain/schedule-occurrence.js';
import { parseInstantInZone } from '../domain/zoned-time.js';
import type { Problem } from '../domain/errors.js';
import type { AppDeps } from './deps.js';
import type { ManageSchedules } from './manage-schedules.js';
import type { StartExecution } from './start-execution.js';

/** Most occurrences one request may cover: a bigger range is refused (split it). */
export const MAX_BACKFILL = 1000;

export interface BackfillRequest {
  /** Inclusive. An ISO-8601 instant, epoch ms, or a local date-time read in the schedule's zone. */
  from: string | number;
  /** Inclusive, as `from`; capped at now (later occurrences are the scheduler's). */
  to: string | number;
  /** Only occurrences the ledger records as missed, or has no row for; default false. */
  onlyMissed?: boolean;
}

export interface BackfillResult {
  created: number;
  /** Occurrences in the range that already ran (or, with onlyMissed, were skipped on purpose). */
  skipped: number;
  executionIds: string[];
  /** The range as read (epoch ms), `to` capped at now. */
  from: number;
  to: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class BackfillSchedule {
  constructor(
    private readonly deps: AppDeps,
    private readonly schedules: ManageSchedules,
    private readonly starter: StartExecution,
  ) {}

  async backfill(id: string, request: BackfillRequest): Promise<BackfillResult> {
    const schedule = await this.schedules.get(id);
    const from = parseInstantInZone(request.from, schedule.timezone);
    const to = parseInstantInZone(request.to, schedule.timezone);
    const problems: Problem[] = [];
    if (!from.ok) problems.push({ path: '/from', message: from.message });
    if (!to.ok) problems.push({ path: '/to', message: to.message });
    if (from.ok && to.ok && to.ms < from.ms) problems.push({ path: '/to', message: `must not be before from (${iso(from.ms)}), got ${iso(to.ms)}` });
    if (!from.ok || !to.ok || problems.length > 0) throw new TaskerError('BACKFILL_INVALID', problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '), problems);

    const now = this.deps.clock.now();
    const until = Math.min(to.ms, now);
    const instants = from.ms > until ? [] : nextFireTimes(schedule.cron, schedule.timezone, from.ms - 1, MAX_BACKFILL + 1).filter((at) => at <= until);
    if (instants.length > MAX_BACKFILL) {
      const message = `the range holds more than ${MAX_BACKFILL} occurrences of '${schedule.cron}' (the ${MAX_BACKFILL}th is ${iso(instants[MAX_BACKFILL - 1] as number)}); split it into smaller ranges`;
      throw new TaskerError('BACKFILL_INVALID', message, [{ path: '/to', message }]);
    }

    const known = new Map((await this.deps.occurrences.findAt(schedule.id, instants)).map((o) => [o.instant, o] as const));
    const result: BackfillResult = { created: 0, skipped: 0, executionIds: [], from: from.ms, to: until };
    for (const instant of instants) {
      const prior = known.get(instant);
      if (prior !== undefined && (RAN_KINDS.includes(prior.kind) || (request.onlyMissed === true && prior.kind !== 'missed'))) {
        result.skipped++;
        continue;
      }
      const { execution, created } = await this.starter.start({
        task: schedule.taskId,
        input: schedule.input,
        trigger: 'schedule',
        scheduleId: schedule.id,
        scheduledFor: instant,
      });
      if (!created) {
        // An execution for this occurrence exists already (it ran before the ledger knew of it).
        result.skipped++;
        continue;
      }
      result.created++;
      result.executionIds.push(execution.id);
      await this.deps.occurrences.replace({
        scheduleId: schedule.id,
        instant,
        kind: 'backfilled',
        reason: prior === undefined ? 'backfilled on request' : `backfilled on request; was ${prior.kind}: ${prior.reason}`,
        executionId: execution.id,
        recordedAt: this.deps.clock.now(),
      });
    }
    this.deps.logger.info({ scheduleId: schedule.id, from: iso(from.ms), to: iso(until), created: result.created, skipped: result.skipped }, 'schedule backfilled');
    return result;
  }
}
