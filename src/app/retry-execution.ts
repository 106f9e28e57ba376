// Retry from failure: a new execution (trigger `retry`, `retryOf` the old
// one) of the same task version that reuses the committed outputs of the
// steps that succeeded, so only what failed (and what comes after) runs
// again. A dry run answers the plan first. With a new input nothing is reused
// unless asked for, since reused outputs were computed from the old input.
import { TaskerError } from '../domain/errors.js';
import { isFinished, type Execution } from '../domain/execution.js';
import type { JsonValue } from '../domain/json.js';
import { retryPlan, reusableAttempts, type RetryPlan } from '../domain/retry-plan.js';
import type { AppDeps } from './deps.js';
import type { StartExecution } from './start-execution.js';

export interface RetryOptions {
  /** A new input; default: the original input. */
  input?: JsonValue;
  /** Reuse succeeded steps; default true, or false when a new input is given. */
  reuse?: boolean;
}

export interface RetryPreview extends RetryPlan {
  retryOf: string;
  taskId: string;
  taskVersion: number;
  input: JsonValue;
}

const SEED_OWNER = 'retry-seed';

export class RetryExecution {
  constructor(
    private readonly deps: AppDeps,
    private readonly starter: StartExecution,
  ) {}

  async plan(id: string, options: RetryOptions = {}): Promise<RetryPreview> {
    const { original, reused, input, definition } = await this.prepare(id, options);
    return { retryOf: original.id, taskId: original.taskId, taskVersion: original.taskVersion, input, ...retryPlan(definition, reused) };
  }

  async retry(id: string, options: RetryOptions = {}): Promise<Execution> {
    const { original, reused, input } = await this.prepare(id, options);
    const { execution } = await this.starter.start({
      task: original.taskId,
      taskVersion: original.taskVersion,
      input,
      trigger: 'retry',
      retryOf: original.id,
      scheduleId: original.scheduleId,
      hold: true,
    });
    // Seed the new journal before any worker can see the execution.
    const { executions, clock, settings, queue } = this.deps;
    if (reused.length > 0) {
      if (!(await executions.claim(execution.id, SEED_OWNER, clock.now(), settings.leaseMs))) {
        throw new Error(`could not seed the journal of retry execution ${execution.id}`);
      }
      for (const attempt of reused) await executions.appendAttempt(execution.id, SEED_OWNER, attempt);
      await executions.release(execution.id, SEED_OWNER, {});
    }
    await queue.enqueue(execution.id);
    return execution;
  }

  private async prepare(id: string, options: RetryOptions) {
    const original = await this.deps.executions.get(id);
    if (!original) throw new TaskerError('EXECUTION_NOT_FOUND', `no execution with id '${id}'`);
    if (!isFinished(original.status)) {
      throw new TaskerError('EXECUTION_NOT_FINISHED', `execution ${id} is ${original.status}: cancel it or wait for it to finish before retrying`);
    }
    const reuse = options.reuse ?? options.input === undefined;
    const version = await this.deps.tasks.getVersion(original.taskId, original.taskVersion);
    if (!version) throw new TaskerError('TASK_VERSION_NOT_FOUND', `task ${original.taskId} has no version ${original.taskVersion} any more`);
    const reused = reuse ? reusableAttempts(version.definition, await this.deps.executions.attempts(id), this.deps.clock.now()) : [];
    return { original, reused, input: options.input ?? original.input, definition: version.definition };
  }
}
