// OccurrenceStore on SQL: the schedule ledger in schedule_occurrences, keyed by
// (schedule_id, instant). record() inserts and leaves existing rows alone (the
// first decision wins, whatever scheduler made it); replace() upserts. It must
// not decide kinds or reasons: the scheduler and the backfill use case do.
import type { Kysely, Selectable } from 'kysely';
import type { OccurrenceKind } from '../../domain/schedule-occurrence.js';
import type { Occurrence, OccurrenceFilter, OccurrenceStore } from '../../ports/occurrence-store.js';
import type { Page } from '../../ports/task-store.js';
import { decodeCursor, encodeCursor, pageSize } from './cursor.js';
import type { DatabaseSchema, ScheduleOccurrencesTable } from './database-schema.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import { toNumber } from './row-values.js';

type OccurrenceRow = Selectable<ScheduleOccurrencesTable>;

/** Rows per INSERT (6 parameters each) and instants per IN list: far below every dialect's parameter limit. */
const CHUNK = 200;

function toOccurrence(row: OccurrenceRow): Occurrence {
  return {
    scheduleId: row.schedule_id,
    instant: toNumber(row.instant),
    kind: row.kind as OccurrenceKind,
    reason: row.reason,
    executionId: row.execution_id,
    recordedAt: toNumber(row.recorded_at),
  };
}

function toRow(o: Occurrence) {
  return {
    schedule_id: o.scheduleId,
    instant: o.instant,
    kind: o.kind,
    reason: o.reason,
    execution_id: o.executionId,
    recorded_at: o.recordedAt,
  };
}

export class SqlOccurrenceStore implements OccurrenceStore {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly caps: DialectCapabilities,
  ) {}

  async record(occurrences: readonly Occurrence[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < occurrences.length; i += CHUNK) {
      const insert = this.db.insertInto('schedule_occurrences').values(occurrences.slice(i, i + CHUNK).map(toRow));
      const keepFirst = this.caps.upsert === 'on-conflict'
        ? insert.onConflict((oc) => oc.columns(['schedule_id', 'instant']).doNothing())
        : insert.ignore();
      const result = await keepFirst.executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    return inserted;
  }

  async replace(occurrence: Occurrence): Promise<void> {
    const row = toRow(occurrence);
    const changes = { kind: row.kind, reason: row.reason, execution_id: row.execution_id, recorded_at: row.recorded_at };
    const insert = this.db.insertInto('schedule_occurrences').values(row);
    const upsert = this.caps.upsert === 'on-conflict'
      ? insert.onConflict((oc) => oc.columns(['schedule_id', 'instant']).doUpdateSet(changes))
      : insert.onDuplicateKeyUpdate(changes);
    await upsert.execute();
  }

  async list(filter: OccurrenceFilter): Promise<Page<Occurrence>> {
    const limit = pageSize(filter.limit);
    let query = this.db.selectFrom('schedule_occurrences').selectAll().where('schedule_id', '=', filter.scheduleId);
    if (filter.kinds !== undefined && filter.kinds.length > 0) query = query.where('kind', 'in', [...filter.kinds]);
    // The cursor's position is the last instant listed (one row per instant and schedule).
    if (filter.cursor !== undefined) query = query.where('instant', '<', decodeCursor(filter.cursor).createdAt);
    const rows = await query.orderBy('instant', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toOccurrence);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.instant, id: last.scheduleId }) : null,
    };
  }

  async findAt(scheduleId: string, instants: readonly number[]): Promise<Occurrence[]> {
    const found: Occurrence[] = [];
    for (let i = 0; i < instants.length; i += CHUNK) {
      const rows = await this.db.selectFrom('schedule_occurrences').selectAll()
        .where('schedule_id', '=', scheduleId)
        .where('instant', 'in', instants.slice(i, i + CHUNK))
        .execute();
      found.push(...rows.map(toOccurrence));
    }
    return found.sort((a, b) => a.instant - b.instant);
  }

  async pruneRecordedBefore(before: number): Promise<number> {
    const result = await this.db.deleteFrom('schedule_occurrences').where('recorded_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
