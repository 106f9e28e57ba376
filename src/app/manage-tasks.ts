// Task definitions: validate, create, update (a new version), read, list,
// delete. Definitions are validated whole before anything is stored.
import { problemCount, TaskerError, type Problem } from '../domain/errors.js';
import type { TaskDefinition } from '../domain/definition.js';
import { validateDefinition } from '../domain/validate-definition.js';
import { stringifyJson } from '../domain/json.js';
import type { Page, TaskRecord, TaskVersionRecord } from '../ports/task-store.js';
import type { AppDeps } from './deps.js';

const MAX_PAGE = 200;

export function clampLimit(limit: number | undefined, fallback = 50): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(Math.max(1, Math.floor(limit)), MAX_PAGE);
}

export class ManageTasks {
  constructor(private readonly deps: AppDeps) {}

  validate(raw: unknown): { valid: boolean; problems: Problem[] } {
    const result = validateDefinition(raw, this.deps.catalog);
    return result.ok ? { valid: true, problems: [] } : { valid: false, problems: result.problems };
  }

  parse(raw: unknown): TaskDefinition {
    const result = validateDefinition(raw, this.deps.catalog);
    if (!result.ok) {
      throw new TaskerError('DEFINITION_INVALID', problemCount('the definition', result.problems.length), result.problems);
    }
    return result.definition;
  }

  async create(raw: unknown): Promise<TaskRecord> {
    const definition = this.parse(raw);
    return this.deps.tasks.create({ id: this.deps.newId(), name: definition.name, definition, now: this.deps.clock.now() });
  }

  /** Creates the task, or adds a version when one with this name exists and the definition changed. */
  async apply(raw: unknown): Promise<TaskRecord> {
    const definition = this.parse(raw);
    const existing = await this.deps.tasks.find(definition.name);
    if (!existing) return this.create(raw);
    if (stringifyJson(existing.definition) === stringifyJson(definition)) return existing;
    return this.deps.tasks.update(existing.id, definition, this.deps.clock.now());
  }

  async update(idOrName: string, raw: unknown): Promise<TaskRecord> {
    const task = await this.get(idOrName);
    const definition = this.parse(raw);
    if (definition.name !== task.name) {
      const other = await this.deps.tasks.find(definition.name);
      if (other && other.id !== task.id) throw new TaskerError('TASK_NAME_TAKEN', `a task named '${definition.name}' already exists`, [{ path: '/name', message: 'is taken' }]);
    }
    return this.deps.tasks.update(task.id, definition, this.deps.clock.now());
  }

  async get(idOrName: string): Promise<TaskRecord> {
    const task = await this.deps.tasks.find(idOrName);
    if (!task) throw new TaskerError('TASK_NOT_FOUND', `no task with id or name '${idOrName}'`);
    return task;
  }

  list(options: { limit?: number; cursor?: string }): Promise<Page<TaskRecord>> {
    return this.deps.tasks.list({ limit: clampLimit(options.limit), ...(options.cursor ? { cursor: options.cursor } : {}) });
  }

  async versions(idOrName: string): Promise<TaskVersionRecord[]> {
    const task = await this.get(idOrName);
    return this.deps.tasks.listVersions(task.id);
  }

  async delete(idOrName: string): Promise<void> {
    const task = await this.get(idOrName);
    await this.deps.tasks.delete(task.id);
  }
}
