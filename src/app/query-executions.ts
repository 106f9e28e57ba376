// Reading executions: one with its steps (the latest attempt at each path),
// lists with filters, and waiting for one to finish (event first, polling as
// the safety net for executions driven by another process).
import { TaskerError } from '../domain/errors.js';
import { ENTER_SEGMENT } from '../domain/engine.js';
import { isFinished, type StepAttempt } from '../domain/execution.js';
import type { Execution } from '../domain/execution.js';
import type { Page } from '../ports/task-store.js';
import type { AppDeps } from './deps.js';
import { clampLimit, type ManageTasks } from './manage-tasks.js';
import type { ExecutionListFilter, ExecutionView, StepView } from './tasker.js';

const WAIT_POLL_MS = 1_000;

export class QueryExecutions {
  constructor(
    private readonly deps: AppDeps,
    private readonly tasks: ManageTasks,
  ) {}

  async get(id: string): Promise<ExecutionView> {
    const execution = await this.deps.executions.get(id);
    if (!execution) throw new TaskerError('EXECUTION_NOT_FOUND', `no execution with id '${id}'`);
    const attempts = await this.deps.executions.attempts(id);
    return { ...execution, steps: stepViews(attempts, this.deps.clock.now(), execution.finishedAt) };
  }

  async list(filter: ExecutionListFilter): Promise<Page<Execution>> {
    const taskId = filter.task ? (await this.tasks.get(filter.task)).id : undefined;
    return this.deps.executions.list({
      limit: clampLimit(filter.limit),
      ...(taskId ? { taskId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.schedule ? { scheduleId: filter.schedule } : {}),
      ...(filter.trigger ? { trigger: filter.trigger } : {}),
      ...(filter.from !== undefined ? { createdFrom: filter.from } : {}),
      ...(filter.to !== undefined ? { createdBefore: filter.to } : {}),
      ...(filter.cursor ? { cursor: filter.cursor } : {}),
    });
  }

  async waitFor(id: string, timeoutMs: number): Promise<ExecutionView> {
    if (timeoutMs <= 0) return this.get(id);
    let resolveWait!: () => void;
    const waited = new Promise<void>((resolve) => {
      resolveWait = resolve;
    });
    let finished = false;
    let poll: NodeJS.Timeout | undefined;
    const done = () => {
      finished = true;
      resolveWait();
    };
    const check = () => {
      if (finished) return;
      this.deps.executions
        .get(id)
        .then((e) => {
          if (e && isFinished(e.status)) done();
          else if (!finished) poll = setTimeout(check, WAIT_POLL_MS);
        })
        .catch(() => {
          if (!finished) poll = setTimeout(check, WAIT_POLL_MS);
        });
    };
    // Listen before the first read: an execution that ends between the two is
    // then heard, not left to the next poll.
    const offs = [
      this.deps.events.on('execution.finished', ({ execution }) => {
        if (execution.id === id) done();
      }),
      this.deps.events.on('runtime.closing', () => done()),
      // Finished by another process: read the store now rather than at the next poll.
      this.deps.events.on('execution.finished.elsewhere', ({ executionId }) => {
        if (executionId !== id) return;
        clearTimeout(poll);
        check();
      }),
    ];
    const deadline = setTimeout(done, timeoutMs);
    try {
      // The row alone first: its steps are read once, when there is something to answer.
      const first = await this.deps.executions.get(id);
      if (!first) throw new TaskerError('EXECUTION_NOT_FOUND', `no execution with id '${id}'`);
      if (isFinished(first.status)) done();
      else if (!finished) poll = setTimeout(check, WAIT_POLL_MS);
      await waited;
    } finally {
      finished = true;
      clearTimeout(deadline);
      clearTimeout(poll);
      for (const off of offs) off();
    }
    return this.get(id);
  }
}

/**
 * The latest attempt at each path, in the order the steps first started. A
 * wait (delay) still pending when the execution ended (cancel, timeout) shows
 * as canceled at the execution's end.
 */
export function stepViews(attempts: readonly StepAttempt[], now: number, endedAt: number | null = null): StepView[] {
  const byPath = new Map<string, { first: StepAttempt; latest: StepAttempt }>();
  for (const a of attempts) {
    const seen = byPath.get(a.path);
    if (!seen) byPath.set(a.path, { first: a, latest: a });
    else {
      if (a.attempt < seen.first.attempt) seen.first = a;
      if (a.attempt >= seen.latest.attempt) seen.latest = a;
    }
  }
  return [...byPath.values()]
    .filter(({ latest }) => !latest.path.endsWith(`/${ENTER_SEGMENT}`))
    .sort((x, y) => x.first.startedAt - y.first.startedAt)
    .map(({ first, latest }): StepView => {
      const wakeAt = latest.wakeAt ?? latest.finishedAt;
      if (latest.status === 'waiting' && endedAt !== null && endedAt < wakeAt) {
        return { stepId: latest.stepId, path: latest.path, status: 'canceled', attempts: latest.attempt, startedAt: first.startedAt, finishedAt: endedAt, output: null, error: null };
      }
      const waiting = latest.status === 'waiting' && now < wakeAt;
      return {
        stepId: latest.stepId,
        path: latest.path,
        status: latest.status === 'waiting' ? (waiting ? 'running' : 'succeeded') : latest.status,
        attempts: latest.status === 'skipped' ? 0 : latest.attempt,
        startedAt: first.startedAt,
        finishedAt: waiting ? null : latest.status === 'waiting' ? (latest.wakeAt ?? latest.finishedAt) : latest.finishedAt,
        output: latest.output,
        error: latest.error,
      };
    });
}
