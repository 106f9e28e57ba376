// Reading the schedule ledger: a schedule's occurrences, newest first, by kind.
// It answers SCHEDULE_NOT_FOUND for an unknown schedule rather than an empty
// page, and never writes (the scheduler and the backfill do).
import type { OccurrenceKind } from '../domain/schedule-occurrence.js';
import type { Occurrence } from '../ports/occurrence-store.js';
import type { Page } from '../ports/task-store.js';
import type { AppDeps } from './deps.js';
import type { ManageSchedules } from './manage-schedules.js';
import { clampLimit } from './manage-tasks.js';

export interface OccurrenceListOptions {
  limit?: number;
  cursor?: string;
  /** Only these kinds; every kind when absent or empty. */
  kinds?: readonly OccurrenceKind[];
}

export class QueryOccurrences {
  constructor(
    private readonly deps: AppDeps,
    private readonly schedules: ManageSchedules,
  ) {}

  async list(scheduleId: string, options: OccurrenceListOptions): Promise<Page<Occurrence>> {
    await this.schedules.get(scheduleId);
    return this.deps.occurrences.list({
      scheduleId,
      limit: clampLimit(options.limit),
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...(options.kinds && options.kinds.length > 0 ? { kinds: options.kinds } : {}),
    });
  }
}
