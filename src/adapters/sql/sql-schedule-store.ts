// ScheduleStore on SQL. Fire state moves forward only by compare-and-set on
// next_fire_at (advance), so several scheduler processes can share the table;
// the executions unique index (schedule, instant) is the second guard. It
// must not compute cron instants: callers pass them in.
import type { Kysely, Selectable } from 'kysely';
import type { JsonValue } from '../../domain/json.js';
import type { CatchupPolicy, OverlapPolicy, Schedule, ScheduleStore } from '../../ports/schedule-store.js';
import type { Page } from '../../ports/task-store.js';
import { decodeCursor, encodeCursor, pageSize } from './cursor.js';
import type { DatabaseSchema, SchedulesTable } from './database-schema.js';
import { readJson, toNullableNumber, toNumber, writeJson } from './row-values.js';

type ScheduleRow = Selectable<SchedulesTable>;

function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    taskId: row.task_id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    enabled: toNumber(row.enabled) !== 0,
    input: readJson(row.input),
    overlap: row.overlap as OverlapPolicy,
    catchup: row.catchup as CatchupPolicy,
    catchupWindowMs: toNumber(row.catchup_window_ms),
    startAt: toNullableNumber(row.start_at),
    endAt: toNullableNumber(row.end_at),
    jitterMs: toNumber(row.jitter_ms),
    nextFireAt: toNullableNumber(row.next_fire_at),
    lastFireAt: toNullableNumber(row.last_fire_at),
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  };
}

/** Every column but id and created_at: what update() replaces. */
function mutableColumns(s: Schedule) {
  return {
    task_id: s.taskId,
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled ? 1 : 0,
    input: writeJson(s.input satisfies JsonValue),
    overlap: s.overlap,
    catchup: s.catchup,
    catchup_window_ms: s.catchupWindowMs,
    start_at: s.startAt,
    end_at: s.endAt,
    jitter_ms: s.jitterMs,
    next_fire_at: s.nextFireAt,
    last_fire_at: s.lastFireAt,
    updated_at: s.updatedAt,
  };
}

export class SqlScheduleStore implements ScheduleStore {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async create(schedule: Schedule): Promise<Schedule> {
    await this.db.insertInto('schedules')
      .values({ id: schedule.id, created_at: schedule.createdAt, ...mutableColumns(schedule) })
      .execute();
    return (await this.get(schedule.id)) ?? schedule;
  }

  async get(id: string): Promise<Schedule | null> {
    const row = await this.db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toSchedule(row);
  }

  async list(options: { limit: number; cursor?: string; taskId?: string }): Promise<Page<Schedule>> {
    const limit = pageSize(options.limit);
    let query = this.db.selectFrom('schedules').selectAll();
    if (options.taskId !== undefined) query = query.where('task_id', '=', options.taskId);
    if (options.cursor !== undefined) {
      const c = decodeCursor(options.cursor);
      query = query.where((eb) => eb.or([
        eb('created_at', '<', c.createdAt),
        eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)]),
      ]));
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toSchedule);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  async update(schedule: Schedule): Promise<Schedule | null> {
    const result = await this.db.updateTable('schedules')
      .set(mutableColumns(schedule))
      .where('id', '=', schedule.id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return null;
    return this.get(schedule.id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listDue(now: number, limit: number): Promise<Schedule[]> {
    const rows = await this.db.selectFrom('schedules').selectAll()
      .where('enabled', '=', 1)
      .where('next_fire_at', 'is not', null)
      .where('next_fire_at', '<=', now)
      .orderBy('next_fire_at', 'asc').orderBy('id', 'asc')
      .limit(pageSize(limit))
      .execute();
    return rows.map(toSchedule);
  }

  async nextFireAt(): Promise<number | null> {
    const row = await this.db.selectFrom('schedules')
      .select((eb) => eb.fn.min('next_fire_at').as('next'))
      .where('enabled', '=', 1)
      .executeTakeFirst();
    return row === undefined ? null : toNullableNumber(row.next as number | string | bigint | null);
  }

  async advance(
    id: string,
    expectedNextFireAt: number | null,
    next: { nextFireAt: number | null; lastFireAt: number | null },
  ): Promise<boolean> {
    return advanceIn(this.db, id, expectedNextFireAt, next);
  }

  async advanceMany(moves: ReadonlyArray<{ id: string; expectedNextFireAt: number | null; next: { nextFireAt: number | null; lastFireAt: number | null } }>): Promise<boolean[]> {
    if (moves.length === 0) return [];
    // One commit for the batch instead of one per schedule: most of a fire's write cost on SQLite.
    // Rows in id order, so two schedulers' transactions lock them alike and cannot deadlock.
    const order = moves.map((_, i) => i).sort((a, b) => (moves[a]!.id < moves[b]!.id ? -1 : moves[a]!.id > moves[b]!.id ? 1 : 0));
    return this.db.transaction().execute(async (trx) => {
      const moved: boolean[] = new Array<boolean>(moves.length).fill(false);
      for (const i of order) {
        const m = moves[i]!;
        moved[i] = await advanceIn(trx, m.id, m.expectedNextFireAt, m.next);
      }
      return moved;
    });
  }
}

async function advanceIn(
  db: Kysely<DatabaseSchema>,
  id: string,
  expectedNextFireAt: number | null,
  next: { nextFireAt: number | null; lastFireAt: number | null },
): Promise<boolean> {
  const result = await db.updateTable('schedules')
    .set({ next_fire_at: next.nextFireAt, last_fire_at: next.lastFireAt })
    .where('id', '=', id)
    // `= NULL` is never true in SQL: a null expectation needs IS NULL.
    .where('next_fire_at', expectedNextFireAt === null ? 'is' : '=', expectedNextFireAt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
