// Sub-tasks (the `task` step): start the child execution once per parent step
// (an idempotency key derived from the parent's id and the step's path makes
// re-runs find the same child), refuse cycles and chains deeper than the
// limit, and tell the parent's id from a child's key so a finishing child can
// wake its parent. The key encodes the link: `subtask:<parentId>:<path>`.
import { MAX_SUBTASK_DEPTH } from '../domain/definition-limits.js';
import type { Execution } from '../domain/execution.js';
import type { JsonValue } from '../domain/json.js';
import { StepError } from '../domain/step-error.js';
import { TaskerError } from '../domain/errors.js';
import type { AppDeps } from './deps.js';
import type { StartExecution } from './start-execution.js';

const KEY_PREFIX = 'subtask:';

export interface SubtaskStarter {
  startOrGet(parent: Execution, path: string, task: string, input: JsonValue): Promise<Execution>;
}

/** The parent of a sub-task execution, read from its idempotency key. */
export function parentOf(execution: Pick<Execution, 'trigger' | 'idempotencyKey'>): string | null {
  const key = execution.idempotencyKey;
  if (execution.trigger !== 'subtask' || !key?.startsWith(KEY_PREFIX)) return null;
  const rest = key.slice(KEY_PREFIX.length);
  const end = rest.indexOf(':');
  return end > 0 ? rest.slice(0, end) : null;
}

/** The parent's step path that started a sub-task execution, read from its idempotency key. */
export function stepPathOf(execution: Pick<Execution, 'trigger' | 'idempotencyKey'>): string | null {
  const parentId = parentOf(execution);
  return parentId === null ? null : (execution.idempotencyKey ?? '').slice(KEY_PREFIX.length + parentId.length + 1);
}

export class StartSubtask implements SubtaskStarter {
  constructor(
    private readonly deps: AppDeps,
    private readonly starter: StartExecution,
  ) {}

  async startOrGet(parent: Execution, path: string, taskRef: string, input: JsonValue): Promise<Execution> {
    const task = await this.deps.tasks.find(taskRef);
    if (!task) throw new StepError('subtask', `sub-task: no task with id or name '${taskRef}'`);
    const chain = await this.ancestry(parent);
    if (chain.length >= MAX_SUBTASK_DEPTH) {
      throw new StepError('limit', `sub-task: tasks may start tasks at most ${MAX_SUBTASK_DEPTH} deep`);
    }
    const loop = chain.findIndex((e) => e.taskId === task.id);
    if (loop !== -1) {
      const names = await Promise.all([...chain.slice(0, loop + 1)].reverse().map(async (e) => (await this.deps.tasks.find(e.taskId))?.name ?? e.taskId));
      throw new StepError('subtask', `sub-task: a cycle: ${[...names, task.name].join(' → ')}`);
    }
    try {
      const { execution } = await this.starter.start({
        task: task.id,
        input,
        trigger: 'subtask',
        idempotencyKey: `${KEY_PREFIX}${parent.id}:${path}`,
      });
      return execution;
    } catch (err) {
      if (err instanceof TaskerError && err.status < 500) throw new StepError('subtask', `sub-task '${task.name}': ${err.message}${problemsText(err)}`, { cause: err });
      throw err;
    }
  }

  /** The parent and its ancestors, nearest first. */
  private async ancestry(parent: Execution): Promise<Execution[]> {
    const chain: Execution[] = [parent];
    let current: Execution | null = parent;
    while (current && chain.length <= MAX_SUBTASK_DEPTH) {
      const id = parentOf(current);
      current = id ? await this.deps.executions.get(id) : null;
      if (current) chain.push(current);
    }
    return chain;
  }
}

function problemsText(err: TaskerError): string {
  return err.problems.length === 0 ? '' : ` (${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`;
}
