// The schedule ledger: one row per (schedule, fire instant) saying what became of it.
// The scheduler records its decisions, a backfill upgrades missed or skipped rows; the
// store keeps the first decision about an instant unless told to replace it (backfilled).
import type { OccurrenceKind } from '../domain/schedule-occurrence.js';
import type { Page } from './task-store.js';

export interface Occurrence {
  scheduleId: string;
  /** The fire instant (epoch ms): the key, with scheduleId. */
  instant: number;
  kind: OccurrenceKind;
  reason: string;
  /** The execution started for it (fired, caught_up, backfilled), else null. */
  executionId: string | null;
  recordedAt: number;
}

export interface OccurrenceFilter {
  scheduleId: string;
  /** Only these kinds; all when absent or empty. */
  kinds?: readonly OccurrenceKind[];
  limit: number;
  cursor?: string;
}

export interface OccurrenceStore {
  /**
   * Records decisions, in one batch. An instant that already has a row keeps it: the first
   * decision wins, so two scheduler passes over the same instants are harmless. Returns how
   * many rows were new.
   */
  record(occurrences: readonly Occurrence[]): Promise<number>;
  /** Writes the row whatever was there (a backfill replacing a missed or skipped row). */
  replace(occurrence: Occurrence): Promise<void>;
  /** A schedule's rows, newest instant first, paged with an opaque cursor. */
  list(filter: OccurrenceFilter): Promise<Page<Occurrence>>;
  /** A schedule's rows at these instants (those that exist), earliest first. */
  findAt(scheduleId: string, instants: readonly number[]): Promise<Occurrence[]>;
  /** Removes rows recorded before `before` (retention); returns how many. */
  pruneRecordedBefore(before: number): Promise<number>;
}
