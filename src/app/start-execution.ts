// Starting an execution: resolve the task's current version, check the input
// against its schema, insert the execution (the store's unique index makes a
// repeated idempotency key return the first execution, even under concurrent
// requests), and hand it to the queue.
import { createHash } from 'node:crypto';
import { TaskerError } from '../domain/errors.js';
import type { Execution, Trigger } from '../domain/execution.js';
import { checkInput } from '../domain/input-schema.js';
import { stringifyJson, type JsonValue } from '../domain/json.js';
import type { TaskRecord } from '../ports/task-store.js';
import type { AppDeps } from './deps.js';
import type { ManageTasks } from './manage-tasks.js';

export interface StartOptions {
  task: string;
  /** The task, already read by the caller (a scheduler pass reads each task once); else read here. */
  resolvedTask?: TaskRecord;
  input?: JsonValue;
  idempotencyKey?: string | null;
  trigger?: Trigger;
  scheduleId?: string | null;
  scheduledFor?: number | null;
  /** Earliest start (schedule jitter); default now. */
  runAt?: number;
  /** Create without enqueueing (overlap `queue` holds it until its turn; retry seeds the journal first). */
  hold?: boolean;
  /** Run this version instead of the task's current one (retry). */
  taskVersion?: number;
  /** The execution this one retries. */
  retryOf?: string | null;
}

const MAX_KEY_LENGTH = 255;

export class StartExecution {
  constructor(
    private readonly deps: AppDeps,
    private readonly tasks: ManageTasks,
  ) {}

  async start(options: StartOptions): Promise<{ execution: Execution; created: boolean }> {
    const task = options.resolvedTask ?? (await this.tasks.get(options.task));
    const input = options.input ?? {};
    const version = options.taskVersion === undefined ? task : await this.deps.tasks.getVersion(task.id, options.taskVersion);
    if (!version) throw new TaskerError('TASK_VERSION_NOT_FOUND', `task '${task.name}' has no version ${options.taskVersion}`);
    const problems = checkInput(version.definition.input, input);
    if (problems.length > 0) throw new TaskerError('INPUT_INVALID', `the input does not match the input schema of task '${task.name}'`, problems);
    const key = options.idempotencyKey ?? null;
    if (key !== null && (key.length === 0 || key.length > MAX_KEY_LENGTH)) {
      throw new TaskerError('REQUEST_INVALID', 'invalid idempotency key', [{ path: '/idempotencyKey', message: `expected 1 to ${MAX_KEY_LENGTH} characters` }]);
    }
    // Canonical (sorted keys), so {"a":1,"b":2} and {"b":2,"a":1} are the same request.
    const requestHash = key === null ? null : createHash('sha256').update(stringifyJson(canonicalJson(input))).digest('hex');
    const result = await this.deps.executions.create({
      id: this.deps.newId(),
      taskId: task.id,
      taskVersion: options.taskVersion ?? task.version,
      scheduleId: options.scheduleId ?? null,
      scheduledFor: options.scheduledFor ?? null,
      trigger: options.trigger ?? 'api',
      input,
      idempotencyKey: key,
      requestHash,
      retryOf: options.retryOf ?? null,
      now: this.deps.clock.now(),
    });
    if (!result.created) {
      if (key !== null && result.requestHash !== requestHash) {
        throw new TaskerError('IDEMPOTENCY_KEY_REUSED', `idempotency key '${key}' was already used with a different input (execution ${result.execution.id})`, [
          { path: '/idempotencyKey', message: 'was used before with a different input' },
        ]);
      }
      return { execution: result.execution, created: false };
    }
    if (!options.hold) await this.deps.queue.enqueue(result.execution.id, options.runAt);
    return { execution: result.execution, created: true };
  }
}

/** The same value with object keys sorted at every level. */
export function canonicalJson(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, { value: canonicalJson(value[key] as JsonValue), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
