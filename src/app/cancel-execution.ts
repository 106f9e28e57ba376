// Cancel: the store marks the execution canceled (final, whatever holds its
// lease), then this process aborts the execution's in-flight I/O if it is
// driving it. A worker elsewhere finds its next commit refused and stops.
// A sub-task never outlives the parent that waits for it: when a parent ends
// (canceled, timed out, failed, or moved on after its task step gave up),
// its unfinished sub-tasks are canceled too, and theirs. A detached one
// (`wait: false`, whose step succeeded at once) is left to run.
import { TaskerError } from '../domain/errors.js';
import { isFinished, type Execution } from '../domain/execution.js';
import { StepError } from '../domain/step-error.js';
import type { AppDeps } from './deps.js';
import type { InFlight } from './in-flight.js';
import { parentOf, stepPathOf } from './start-subtask.js';

export class CancelExecution {
  constructor(
    private readonly deps: AppDeps,
    private readonly inFlight: InFlight,
  ) {}

  async cancel(id: string, reason = 'canceled by request'): Promise<void> {
    const execution = await this.deps.executions.get(id);
    if (!execution) throw new TaskerError('EXECUTION_NOT_FOUND', `no execution with id '${id}'`);
    if (isFinished(execution.status)) throw new TaskerError('EXECUTION_FINISHED', `execution ${id} already finished with status ${execution.status}`);
    const changed = await this.deps.executions.cancel(id, this.deps.clock.now(), reason);
    if (!changed) throw new TaskerError('EXECUTION_FINISHED', `execution ${id} finished before it could be canceled`);
    this.inFlight.abort(id, new StepError('canceled', reason));
    const canceled = await this.deps.executions.get(id);
    if (canceled) this.deps.events.emit('execution.finished', { execution: canceled });
    await this.cancelChildrenOf({ id, status: 'canceled' });
    // A canceled sub-task wakes its parent, whose task step then fails.
    const parentId = parentOf(execution);
    if (parentId) await this.deps.queue.enqueue(parentId);
  }

  /** Cancels the unfinished sub-tasks an ended execution was waiting for. */
  async cancelChildrenOf(parent: Pick<Execution, 'id' | 'status'>): Promise<void> {
    const children = await this.deps.executions.listActiveChildren(parent.id);
    if (children.length === 0) return;
    const detached = await this.detachedPaths(parent.id);
    for (const child of children) {
      if (detached.has(stepPathOf(child) ?? '')) continue;
      try {
        await this.cancel(child.id, `its parent execution ${parent.id} ended ${parent.status}`);
      } catch (err) {
        // Finished meanwhile: nothing to cancel.
        if (!(err instanceof TaskerError && err.code === 'EXECUTION_FINISHED')) throw err;
      }
    }
  }

  /**
   * Whether a sub-task was started by a parent that has ended and that was
   * waiting for it: it must not run on (a crash may have come between the
   * parent's end and the cancel of its children).
   */
  async isOrphan(child: Execution): Promise<boolean> {
    const parentId = parentOf(child);
    if (!parentId) return false;
    const parent = await this.deps.executions.get(parentId);
    if (parent !== null && !isFinished(parent.status)) return false;
    // A parent pruned by retention ended long ago.
    if (parent === null) return true;
    return !(await this.detachedPaths(parentId)).has(stepPathOf(child) ?? '');
  }

  /** The task steps whose child runs detached: their step succeeded without waiting for it. */
  private async detachedPaths(parentId: string): Promise<Set<string>> {
    const attempts = await this.deps.executions.attempts(parentId);
    return new Set(attempts.filter((a) => a.status === 'succeeded').map((a) => a.path));
  }
}
