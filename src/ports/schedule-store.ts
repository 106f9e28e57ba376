// Schedules and their fire state (next/last fire instant).
import type { JsonValue } from '../domain/json.js';
import type { Page } from './task-store.js';

export type OverlapPolicy = 'skip' | 'allow' | 'queue' | 'cancel_previous';
export type CatchupPolicy = 'latest' | 'none' | 'all';

export interface Schedule {
  id: string;
  taskId: string;
  name: string;
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
  nextFireAt: number | null;
  lastFireAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ScheduleStore {
  create(schedule: Schedule): Promise<Schedule>;
  get(id: string): Promise<Schedule | null>;
  list(options: { limit: number; cursor?: string; taskId?: string }): Promise<Page<Schedule>>;
  /** Replaces the mutable fields; returns the stored schedule or null when missing. */
  update(schedule: Schedule): Promise<Schedule | null>;
  delete(id: string): Promise<boolean>;
  /** Enabled schedules whose nextFireAt <= now, earliest first. */
  listDue(now: number, limit: number): Promise<Schedule[]>;
  /** The earliest nextFireAt among enabled schedules, or null. */
  nextFireAt(): Promise<number | null>;
  /**
   * Moves the fire state forward, only if it still equals `expectedNextFireAt`
   * (so two schedulers cannot both advance it). Returns whether it moved.
   */
  advance(id: string, expectedNextFireAt: number | null, next: { nextFireAt: number | null; lastFireAt: number | null }): Promise<boolean>;
  /** advance() for several schedules in one transaction (a scheduler pass); whether each moved, in order. */
  advanceMany(moves: ReadonlyArray<{ id: string; expectedNextFireAt: number | null; next: { nextFireAt: number | null; lastFireAt: number | null } }>): Promise<boolean[]>;
}
