// TaskStore on SQL: a `tasks` row per task plus an immutable `task_versions`
// row per version. An update appends a version and bumps current_version in
// one transaction. Deleting a task removes its versions and its schedules;
// executions stay, for history. It must not validate definitions.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { TaskDefinition } from '../../domain/definition.js';
import { TaskerError } from '../../domain/errors.js';
import type { Page, TaskRecord, TaskStore, TaskVersionRecord } from '../../ports/task-store.js';
import { decodeCursor, encodeCursor, pageSize } from './cursor.js';
import type { DatabaseSchema, TaskVersionsTable, TasksTable } from './database-schema.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import { readJsonAs, toNumber, writeJson } from './row-values.js';

type TaskRow = Selectable<TasksTable> & { definition: string };

function toRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    name: row.name,
    version: toNumber(row.current_version),
    definition: readJsonAs<TaskDefinition>(row.definition) as TaskDefinition,
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  };
}

function toVersion(row: Selectable<TaskVersionsTable>): TaskVersionRecord {
  return {
    taskId: row.task_id,
    version: toNumber(row.version),
    definition: readJsonAs<TaskDefinition>(row.definition) as TaskDefinition,
    createdAt: toNumber(row.created_at),
  };
}

const nameTaken = (name: string, cause: unknown) =>
  new TaskerError('TASK_NAME_TAKEN', `a task named '${name}' already exists`, [{ path: '/name', message: `is taken: choose another name, or PUT /v1/tasks/${name} to add a version` }], { cause });

export class SqlTaskStore implements TaskStore {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly caps: DialectCapabilities,
  ) {}

  private current() {
    return this.db.selectFrom('tasks')
      .innerJoin('task_versions', (j) => j.onRef('task_versions.task_id', '=', 'tasks.id').onRef('task_versions.version', '=', 'tasks.current_version'))
      .select(['tasks.id', 'tasks.name', 'tasks.current_version', 'tasks.created_at', 'tasks.updated_at', 'task_versions.definition']);
  }

  async create(task: { id: string; name: string; definition: TaskDefinition; now: number }): Promise<TaskRecord> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('tasks')
          .values({ id: task.id, name: task.name, current_version: 1, created_at: task.now, updated_at: task.now })
          .execute();
        await trx.insertInto('task_versions')
          .values({ task_id: task.id, version: 1, definition: writeJson(task.definition), created_at: task.now })
          .execute();
      });
    } catch (err) {
      if (this.caps.isUniqueViolation(err) && (await this.findByName(task.name)) !== null) throw nameTaken(task.name, err);
      throw err;
    }
    return {
      id: task.id, name: task.name, version: 1, definition: task.definition, createdAt: task.now, updatedAt: task.now,
    };
  }

  async update(id: string, definition: TaskDefinition, now: number): Promise<TaskRecord> {
    try {
      await this.db.transaction().execute(async (trx) => {
        // Write first: the row lock (SQLite: the write lock) is taken before
        // the read, so two updates cannot pick the same version number.
        const bumped = await trx.updateTable('tasks')
          .set({ current_version: sql<number>`${sql.ref('current_version')} + 1`, name: definition.name, updated_at: now })
          .where('id', '=', id)
          .executeTakeFirst();
        if (bumped.numUpdatedRows === 0n) throw new TaskerError('TASK_NOT_FOUND', `no task with id '${id}'`);
        const row = await trx.selectFrom('tasks').select('current_version').where('id', '=', id).executeTakeFirstOrThrow();
        await trx.insertInto('task_versions')
          .values({ task_id: id, version: toNumber(row.current_version), definition: writeJson(definition), created_at: now })
          .execute();
      });
    } catch (err) {
      if (this.caps.isUniqueViolation(err)) throw nameTaken(definition.name, err);
      throw err;
    }
    const updated = await this.get(id);
    if (updated === null) throw new TaskerError('TASK_NOT_FOUND', `no task with id '${id}'`);
    return updated;
  }

  private async get(id: string): Promise<TaskRecord | null> {
    const row = await this.current().where('tasks.id', '=', id).executeTakeFirst();
    return row === undefined ? null : toRecord(row);
  }

  private async findByName(name: string): Promise<TaskRecord | null> {
    const row = await this.current().where('tasks.name', '=', name).executeTakeFirst();
    return row === undefined ? null : toRecord(row);
  }

  async find(idOrName: string): Promise<TaskRecord | null> {
    // One round trip for both readings (every start by name comes here); an id match wins over a name match.
    const rows = await this.current()
      .where((eb) => eb.or([eb('tasks.id', '=', idOrName), eb('tasks.name', '=', idOrName)]))
      .limit(2)
      .execute();
    const row = rows.find((r) => r.id === idOrName) ?? rows[0];
    return row === undefined ? null : toRecord(row);
  }

  async getVersion(taskId: string, version: number): Promise<TaskVersionRecord | null> {
    const row = await this.db.selectFrom('task_versions').selectAll()
      .where('task_id', '=', taskId).where('version', '=', version)
      .executeTakeFirst();
    return row === undefined ? null : toVersion(row);
  }

  async listVersions(taskId: string): Promise<TaskVersionRecord[]> {
    const rows = await this.db.selectFrom('task_versions').selectAll()
      .where('task_id', '=', taskId).orderBy('version', 'asc')
      .execute();
    return rows.map(toVersion);
  }

  async list(options: { limit: number; cursor?: string }): Promise<Page<TaskRecord>> {
    const limit = pageSize(options.limit);
    let query = this.current();
    if (options.cursor !== undefined) {
      const c = decodeCursor(options.cursor);
      query = query.where((eb) => eb.or([
        eb('tasks.created_at', '<', c.createdAt),
        eb.and([eb('tasks.created_at', '=', c.createdAt), eb('tasks.id', '<', c.id)]),
      ]));
    }
    const rows = await query.orderBy('tasks.created_at', 'desc').orderBy('tasks.id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
      if (removed.numDeletedRows === 0n) return false;
      await trx.deleteFrom('task_versions').where('task_id', '=', id).execute();
      await trx.deleteFrom('schedules').where('task_id', '=', id).execute();
      return true;
    });
  }
}
