// Cancel: the store marks the execution canceled (final, whatever holds its
// lease), then this process aborts the execution's in-flight I/O if it is
// driving it. A worker elsewhere finds its next commit refused and stops.
import { TaskerError } from '../domain/errors.js';
import { isFinished } from '../domain/execution.js';
import { StepError } from '../domain/step-error.js';
import type { AppDeps } from './deps.js';
import type { InFlight } from './in-flight.js';
import { parentOf } from './start-subtask.js';

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
    // A canceled sub-task wakes its parent, whose task step then fails.
    const parentId = parentOf(execution);
    if (parentId) await this.deps.queue.enqueue(parentId);
  }
}
