// Task definitions and their versions. An update adds a version; versions are
// never modified, so an execution can always load the one it started with.
import type { TaskDefinition } from '../domain/definition.js';

export interface TaskRecord {
  id: string;
  name: string;
  version: number;
  definition: TaskDefinition;
  createdAt: number;
  updatedAt: number;
}

export interface TaskVersionRecord {
  taskId: string;
  version: number;
  definition: TaskDefinition;
  createdAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TaskStore {
  /** Inserts version 1. Throws TaskerError('TASK_NAME_TAKEN') when the name exists. */
  create(task: { id: string; name: string; definition: TaskDefinition; now: number }): Promise<TaskRecord>;
  /**
   * Adds a new version (and renames when the definition's name changed).
   * Throws TaskerError('TASK_NOT_FOUND') or ('TASK_NAME_TAKEN' on a rename to a taken name).
   */
  update(id: string, definition: TaskDefinition, now: number): Promise<TaskRecord>;
  /** Finds by id first, then by name. */
  find(idOrName: string): Promise<TaskRecord | null>;
  getVersion(taskId: string, version: number): Promise<TaskVersionRecord | null>;
  listVersions(taskId: string): Promise<TaskVersionRecord[]>;
  list(options: { limit: number; cursor?: string }): Promise<Page<TaskRecord>>;
  /** Removes the task, its versions and its schedules; executions stay, for history. */
  delete(id: string): Promise<boolean>;
}
