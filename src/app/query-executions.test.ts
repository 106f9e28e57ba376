import { describe, expect, it } from 'vitest';
import type { Execution, ExecutionStatus } from '../domain/execution.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { AppDeps } from './deps.js';
import { TaskerEventBus } from './events.js';
import type { ManageTasks } from './manage-tasks.js';
import { QueryExecutions } from './query-executions.js';

const T0 = Date.UTC(2026, 0, 1);

function execution(status: ExecutionStatus): Execution {
  return {
    id: 'e1', taskId: 't1', taskVersion: 1, scheduleId: null, scheduledFor: null, trigger: 'api', status,
    input: {}, output: null, error: null, retryOf: null, createdAt: T0, startedAt: T0, finishedAt: status === 'succeeded' ? T0 + 1 : null, wakeAt: null,
  } as Execution;
}

describe('waiting for an execution to finish', () => {
  it('hears a finish that happens while the first read is under way, without waiting for a poll', async () => {
    const events = new TaskerEventBus();
    let status: ExecutionStatus = 'running';
    let reads = 0;
    const executions = {
      async get() {
        reads++;
        const seen = execution(status);
        if (reads === 1) {
          // The worker finishes the execution while this read is in flight.
          status = 'succeeded';
          events.emit('execution.finished', { execution: execution('succeeded') });
        }
        return seen;
      },
      async attempts() {
        return [];
      },
    } as unknown as ExecutionStore;
    const deps = { executions, events, clock: { now: () => T0 + 2 } } as unknown as AppDeps;
    const query = new QueryExecutions(deps, {} as ManageTasks);
    const answer = await Promise.race([
      query.waitFor('e1', 30_000),
      // Well under the 1 s poll: only the event can answer in time.
      new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 300)),
    ]);
    expect(answer).not.toBe('late');
    expect(answer).toMatchObject({ id: 'e1', status: 'succeeded' });
    expect(events.listenerCount('execution.finished')).toBe(0);
  });
});
