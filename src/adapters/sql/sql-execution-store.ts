// ExecutionStore on SQL: executions, their journal (step_attempts) and the
// lease. Uniqueness (task + key; schedule + instant) is left to the unique
// indexes, never to a read-then-insert. It must not decide what runs next.
//
// Lease rules (the contract the worker relies on):
// - claim only takes the lease (owner + expiry); it never changes status:
//   the worker sets `running`/`startedAt` with transition().
// - A lease is free when lease_owner is NULL or lease_expires_at <= now; the
//   current owner may claim again to extend it.
// - renewLease, appendAttempt, transition and release are fenced by
//   lease_owner = owner. A lease past its expiry that nobody else has taken is
//   still honoured: only another owner's claim (or cancel) takes it away.
// - cancel ignores the lease and clears it, so the old owner's next fenced
//   write is refused and it stops.
import { sql, type Kysely, type Selectable } from 'kysely';
import { EXECUTION_STATUSES, isFinished, type Execution, type ExecutionError, type ExecutionStatus, type StepAttempt, type Trigger } from '../../domain/execution.js';
import type { StepErrorInfo } from '../../domain/step-error.js';
import type {
  CreateExecutionResult, ExecutionFilter, ExecutionPatch, ExecutionStore, NewExecution,
} from '../../ports/execution-store.js';
import type { Page } from '../../ports/task-store.js';
import { decodeCursor, encodeCursor, pageSize } from './cursor.js';
import type { DatabaseSchema, ExecutionsTable, StepAttemptsTable } from './database-schema.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import { readJson, readJsonAs, toNullableNumber, toNumber, writeJson, writeNullableJson } from './row-values.js';
import { compileJournalAppend, type JournalAppendQuery } from './journal-append-query.js';

const UNFINISHED: ExecutionStatus[] = EXECUTION_STATUSES.filter((s) => !isFinished(s));
/** Triggers no start-time policy holds back (see ExecutionStore.claimToStart). */
const STARTABLE_AT_CLAIM: Trigger[] = ['api', 'manual', 'retry'];

function toExecution(row: Selectable<ExecutionsTable>): Execution {
  return {
    id: row.id,
    taskId: row.task_id,
    taskVersion: toNumber(row.task_version),
    scheduleId: row.schedule_id,
    scheduledFor: toNullableNumber(row.scheduled_for),
    trigger: row.trigger as Trigger,
    status: row.status as ExecutionStatus,
    input: readJson(row.input),
    output: readJson(row.output),
    error: readJsonAs<ExecutionError>(row.error),
    retryOf: row.retry_of,
    idempotencyKey: row.idempotency_key,
    createdAt: toNumber(row.created_at),
    startedAt: toNullableNumber(row.started_at),
    finishedAt: toNullableNumber(row.finished_at),
    wakeAt: toNullableNumber(row.wake_at),
  };
}

function toAttempt(row: Selectable<StepAttemptsTable>): StepAttempt {
  const attempt: StepAttempt = {
    path: row.path,
    stepId: row.step_id,
    attempt: toNumber(row.attempt),
    status: row.status as StepAttempt['status'],
    output: readJson(row.output),
    error: readJsonAs<StepErrorInfo>(row.error),
    startedAt: toNumber(row.started_at),
    finishedAt: toNumber(row.finished_at),
  };
  const wakeAt = toNullableNumber(row.wake_at);
  if (wakeAt !== null) attempt.wakeAt = wakeAt;
  return attempt;
}

/** The columns a patch sets; absent fields are left as they are. */
function patchColumns(patch: ExecutionPatch) {
  return {
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.output !== undefined && { output: writeNullableJson(patch.output) }),
    ...(patch.error !== undefined && { error: writeNullableJson(patch.error) }),
    ...(patch.startedAt !== undefined && { started_at: patch.startedAt }),
    ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
    ...(patch.wakeAt !== undefined && { wake_at: patch.wakeAt }),
  };
}

export class SqlExecutionStore implements ExecutionStore {
  private readonly journalAppend: JournalAppendQuery;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly caps: DialectCapabilities,
  ) {
    this.journalAppend = compileJournalAppend(db, caps);
  }

  async create(e: NewExecution): Promise<CreateExecutionResult> {
    const status = e.status ?? 'queued';
    try {
      await this.db.insertInto('executions').values({
        id: e.id,
        task_id: e.taskId,
        task_version: e.taskVersion,
        schedule_id: e.scheduleId,
        scheduled_for: e.scheduledFor,
        trigger: e.trigger,
        status,
        input: writeJson(e.input),
        output: null,
        error: null,
        retry_of: e.retryOf,
        idempotency_key: e.idempotencyKey,
        request_hash: e.requestHash,
        created_at: e.now,
        started_at: null,
        finished_at: null,
        wake_at: null,
        lease_owner: null,
        lease_expires_at: null,
      }).execute();
    } catch (err) {
      if (!this.caps.isUniqueViolation(err)) throw err;
      const existing = await this.findDuplicate(e);
      // A unique violation with no matching row is an id collision: not ours to hide.
      if (existing === undefined) throw err;
      return { created: false, execution: toExecution(existing), requestHash: existing.request_hash };
    }
    return {
      created: true,
      execution: {
        id: e.id, taskId: e.taskId, taskVersion: e.taskVersion, scheduleId: e.scheduleId, scheduledFor: e.scheduledFor,
        trigger: e.trigger, status, input: e.input, output: null, error: null, retryOf: e.retryOf,
        idempotencyKey: e.idempotencyKey, createdAt: e.now, startedAt: null, finishedAt: null, wakeAt: null,
      },
    };
  }

  private async findDuplicate(e: NewExecution): Promise<Selectable<ExecutionsTable> | undefined> {
    if (e.idempotencyKey !== null) {
      const byKey = await this.db.selectFrom('executions').selectAll()
        .where('task_id', '=', e.taskId).where('idempotency_key', '=', e.idempotencyKey)
        .executeTakeFirst();
      if (byKey !== undefined) return byKey;
    }
    if (e.scheduleId !== null && e.scheduledFor !== null) {
      return this.db.selectFrom('executions').selectAll()
        .where('schedule_id', '=', e.scheduleId).where('scheduled_for', '=', e.scheduledFor)
        .executeTakeFirst();
    }
    return undefined;
  }

  async get(id: string): Promise<Execution | null> {
    const row = await this.db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toExecution(row);
  }

  async list(filter: ExecutionFilter): Promise<Page<Execution>> {
    const limit = pageSize(filter.limit);
    let query = this.db.selectFrom('executions').selectAll();
    if (filter.taskId !== undefined) query = query.where('task_id', '=', filter.taskId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.scheduleId !== undefined) query = query.where('schedule_id', '=', filter.scheduleId);
    if (filter.trigger !== undefined) query = query.where('trigger', '=', filter.trigger);
    if (filter.createdFrom !== undefined) query = query.where('created_at', '>=', filter.createdFrom);
    if (filter.createdBefore !== undefined) query = query.where('created_at', '<', filter.createdBefore);
    if (filter.cursor !== undefined) {
      const c = decodeCursor(filter.cursor);
      query = query.where((eb) => eb.or([
        eb('created_at', '<', c.createdAt),
        eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)]),
      ]));
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toExecution);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  async attempts(executionId: string): Promise<StepAttempt[]> {
    const rows = await this.db.selectFrom('step_attempts').selectAll()
      .where('execution_id', '=', executionId).orderBy('id', 'asc')
      .execute();
    return rows.map(toAttempt);
  }

  async claim(id: string, owner: string, now: number, leaseMs: number): Promise<Execution | null> {
    return this.takeLease(id, owner, now, leaseMs, false);
  }

  async claimToStart(id: string, owner: string, now: number, leaseMs: number): Promise<Execution | null> {
    return this.takeLease(id, owner, now, leaseMs, true);
  }

  /** The lease (free, expired, or already this owner's); with `start`, also the first transition to running. */
  private async takeLease(id: string, owner: string, now: number, leaseMs: number, start: boolean): Promise<Execution | null> {
    let take = this.db.updateTable('executions')
      .set(start
        ? { lease_owner: owner, lease_expires_at: now + leaseMs, status: 'running', started_at: now, wake_at: null }
        : { lease_owner: owner, lease_expires_at: now + leaseMs })
      .where('id', '=', id)
      .where((eb) => eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_expires_at', 'is', null),
        eb('lease_expires_at', '<=', now),
        eb('lease_owner', '=', owner),
      ]));
    take = start
      ? take.where('status', '=', 'queued').where('started_at', 'is', null).where('trigger', 'in', STARTABLE_AT_CLAIM)
      : take.where('status', 'in', UNFINISHED);
    if (this.caps.returning) {
      const claimed = await take.returningAll().executeTakeFirst();
      return claimed === undefined ? null : toExecution(claimed);
    }
    const result = await take.executeTakeFirst();
    if (result.numUpdatedRows === 0n) return null;
    // No RETURNING (MariaDB/MySQL): read the row back. Only another owner's
    // claim after this lease expires could change it; then it is not ours.
    const row = await this.db.selectFrom('executions').selectAll()
      .where('id', '=', id).where('lease_owner', '=', owner)
      .executeTakeFirst();
    return row === undefined ? null : toExecution(row);
  }

  async renewLease(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.db.updateTable('executions')
      .set({ lease_expires_at: now + leaseMs })
      .where('id', '=', id).where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async appendAttempt(id: string, owner: string, attempt: StepAttempt): Promise<boolean> {
    // One statement, so one round trip and one commit: the row comes from the
    // execution's own row, found only while `owner` holds the lease. The
    // servers lock that row (FOR UPDATE) until commit, so a claim by another
    // owner waits and then sees this attempt, or wins first and this inserts
    // nothing; SQLite's write lock, taken before the read, does the same.
    try {
      const result = await this.db.executeQuery(this.journalAppend(id, owner, attempt));
      return (result.numAffectedRows ?? 0n) > 0n;
    } catch (err) {
      if (this.caps.isUniqueViolation(err)) {
        throw new Error(
          `execution ${id}: attempt ${attempt.attempt} of step path '${attempt.path}' is already in the journal; each (path, attempt) is committed once`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async transition(id: string, owner: string, patch: ExecutionPatch): Promise<boolean> {
    const result = await this.db.updateTable('executions')
      // lease_owner = owner keeps the SET list non-empty for an empty patch.
      .set({ lease_owner: owner, ...patchColumns(patch) })
      .where('id', '=', id).where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async release(id: string, owner: string, patch: ExecutionPatch): Promise<boolean> {
    const result = await this.db.updateTable('executions')
      .set({ ...patchColumns(patch), lease_owner: null, lease_expires_at: null })
      .where('id', '=', id).where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async cancel(id: string, now: number, message: string): Promise<boolean> {
    const error: ExecutionError = { kind: 'canceled', message };
    const result = await this.db.updateTable('executions')
      .set({
        status: 'canceled', finished_at: now, error: writeJson(error), wake_at: null, lease_owner: null, lease_expires_at: null,
      })
      .where('id', '=', id).where('status', 'in', UNFINISHED)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listLeaseOwners(now: number): Promise<string[]> {
    const rows = await this.db.selectFrom('executions').select('lease_owner').distinct()
      .where('status', 'in', UNFINISHED)
      .where('lease_owner', 'is not', null)
      .where('lease_expires_at', '>', now)
      .execute();
    return rows.flatMap((r) => (r.lease_owner === null ? [] : [r.lease_owner]));
  }

  async freeLeasesOf(owner: string, now: number): Promise<number> {
    const result = await this.db.updateTable('executions')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('lease_owner', '=', owner)
      .where('status', 'in', UNFINISHED)
      .where('lease_expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async listResumable(now: number, limit: number): Promise<Execution[]> {
    const rows = await this.db.selectFrom('executions').selectAll()
      .where('status', 'in', UNFINISHED)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .orderBy('created_at', 'asc').orderBy('id', 'asc')
      .limit(pageSize(limit))
      .execute();
    return rows.map(toExecution);
  }

  async listActiveChildren(parentId: string): Promise<Execution[]> {
    // The key starts `subtask:<parentId>:`. `!` escapes LIKE's wildcards in the
    // id: the one escape character every backend reads alike in a literal.
    const prefix = `subtask:${parentId}:`.replace(/[!%_]/g, (c) => `!${c}`);
    const rows = await this.db.selectFrom('executions').selectAll()
      .where('status', 'in', UNFINISHED).where('trigger', '=', 'subtask')
      .where(sql<boolean>`idempotency_key like ${`${prefix}%`} escape '!'`)
      .orderBy('created_at', 'asc').orderBy('id', 'asc')
      .execute();
    return rows.map(toExecution);
  }

  async listActiveForSchedule(scheduleId: string): Promise<Execution[]> {
    const rows = await this.db.selectFrom('executions').selectAll()
      .where('schedule_id', '=', scheduleId).where('status', 'in', UNFINISHED)
      .orderBy('created_at', 'asc').orderBy('id', 'asc')
      .execute();
    return rows.map(toExecution);
  }

  async listActiveForSchedules(scheduleIds: readonly string[]): Promise<Execution[]> {
    if (scheduleIds.length === 0) return [];
    const rows = await this.db.selectFrom('executions').selectAll()
      .where('schedule_id', 'in', [...scheduleIds]).where('status', 'in', UNFINISHED)
      .orderBy('created_at', 'asc').orderBy('id', 'asc')
      .execute();
    return rows.map(toExecution);
  }

  async pruneFinished(finishedBefore: number, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const ids = (await trx.selectFrom('executions').select('id')
        .where('status', 'not in', UNFINISHED).where('finished_at', '<', finishedBefore)
        .orderBy('finished_at', 'asc')
        .limit(pageSize(limit))
        .execute()).map((r) => r.id);
      if (ids.length === 0) return 0;
      // The journal first (no reliance on ON DELETE CASCADE); finished is
      // final, but the status check is repeated so nothing unfinished is hit.
      await trx.deleteFrom('step_attempts')
        .where('execution_id', 'in', trx.selectFrom('executions').select('id').where('id', 'in', ids).where('status', 'not in', UNFINISHED))
        .execute();
      const result = await trx.deleteFrom('executions')
        .where('id', 'in', ids).where('status', 'not in', UNFINISHED)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}
