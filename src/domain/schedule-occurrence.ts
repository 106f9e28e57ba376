// The schedule ledger's vocabulary: what became of one fire instant of a schedule, and the
// plain-English reason for each missed one, derived from the scheduler's plan. Pure: it
// decides wording and kinds only; recording the rows is the app's job (OccurrenceStore).
import type { SchedulePlan, SchedulePlanInput } from './schedule-plan.js';
import { MAX_FIRES, MAX_MISSED_LISTED } from './schedule-plan.js';
import { formatDuration } from './duration.js';

/**
 * - `fired`: started on time (trigger `schedule`).
 * - `caught_up`: started late, by the catch-up policy, after downtime.
 * - `skipped`: due and decided against: the overlap policy, or the fire was refused (the task
 *   was deleted, the input no longer matches its schema).
 * - `missed`: due while the scheduler was down and not started (catch-up `none`, outside the
 *   catch-up window, or not the latest).
 * - `backfilled`: started later by `POST /v1/schedules/{id}/backfill`.
 */
export const OCCURRENCE_KINDS = ['fired', 'caught_up', 'skipped', 'missed', 'backfilled'] as const;
export type OccurrenceKind = (typeof OCCURRENCE_KINDS)[number];

/** Kinds whose occurrence has (or had) an execution: a backfill never starts them again. */
export const RAN_KINDS: readonly OccurrenceKind[] = ['fired', 'caught_up', 'backfilled'];

export interface MissedOccurrence {
  instant: number;
  reason: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * One entry per missed instant the plan lists, earliest first, each with its reason. When the
 * plan could not list them all (`missedTruncated`), one more entry comes first, at the oldest
 * due instant, standing for every unlisted one.
 */
export function missedOccurrences(
  s: Pick<SchedulePlanInput, 'catchup' | 'catchupWindowMs'>,
  plan: SchedulePlan,
  now: number,
  lateToleranceMs: number,
): MissedOccurrence[] {
  const windowMs = Math.max(s.catchupWindowMs, lateToleranceMs);
  const windowStart = now - windowMs;
  const reason = (instant: number): string => {
    if (!plan.afterDowntime) return `more than ${MAX_FIRES} fires were due at once; only the most recent ${MAX_FIRES} started`;
    const down = 'due while the scheduler was down';
    switch (s.catchup) {
      case 'none':
        return `${down}; catch-up none starts no missed fire`;
      case 'latest':
        if (instant < windowStart) return `${down}; outside the catch-up window (${formatDuration(windowMs)})`;
        return `${down}; catch-up latest started only the most recent fire`;
      case 'all':
        if (instant < windowStart) return `${down}; outside the catch-up window (${formatDuration(windowMs)})`;
        return `${down}; catch-up all starts at most the ${MAX_FIRES} most recent fires`;
    }
  };
  const listed = plan.missed.map((instant) => ({ instant, reason: reason(instant) }));
  const first = plan.missed[0];
  if (plan.missedTruncated && plan.oldestDue !== null && (first === undefined || plan.oldestDue < first)) {
    const until = first !== undefined ? ` until ${iso(first)}` : '';
    listed.unshift({
      instant: plan.oldestDue,
      reason: `${reason(plan.oldestDue)}; the fires from here${until} were missed too and are not listed one by one (at most ${MAX_MISSED_LISTED} are)`,
    });
  }
  return listed;
}
