// Live events of one execution, for SSE: a snapshot of what is committed,
// then step and finish events from the in-process event bus, with a slow poll
// of the store as the fallback for executions another process drives. Ends
// after `execution.finished` (at once for a finished execution) or on abort,
// and always unsubscribes. It formats nothing: the HTTP adapter does.
import { TaskerError } from '../domain/errors.js';
import { isFinished, type Execution, type StepAttempt } from '../domain/execution.js';
import type { AppDeps } from './deps.js';
import { stepViews } from './query-executions.js';
import type { ExecutionView } from './tasker.js';

export type ExecutionEvent =
  | { type: 'snapshot'; execution: ExecutionView }
  | { type: 'step.started'; executionId: string; path: string; stepId: string; attempt: number; at: number }
  /** A committed attempt: succeeded, skipped, or `waiting` (a delay, with wakeAt). */
  | { type: 'step.finished'; executionId: string; attempt: StepAttempt }
  /** A failed attempt that will not be retried (onError decides what follows). */
  | { type: 'step.failed'; executionId: string; attempt: StepAttempt }
  /** A failed attempt that will be retried; willRetryAt is null when not known (seen by polling). */
  | { type: 'step.retrying'; executionId: string; attempt: StepAttempt; willRetryAt: number | null }
  | { type: 'execution.finished'; execution: Execution };

/** How long the stream waits for a live event before it reads the store. */
export const WATCH_POLL_MS = 2_000;

type Live =
  | { kind: 'started'; path: string; stepId: string; attempt: number; at: number }
  | { kind: 'attempt'; attempt: StepAttempt; willRetryAt: number | null }
  | { kind: 'finished'; execution: Execution };

const keyOf = (path: string, attempt: number): string => `${attempt}:${path}`;

/** A queue the bus pushes into and the generator takes from, with a timeout. */
class Inbox<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** The next item, or undefined after `timeoutMs` (or a wake) with none. */
  async take(timeoutMs: number): Promise<T | undefined> {
    if (this.items.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.items.shift();
  }
}

export class WatchExecution {
  constructor(
    private readonly deps: Pick<AppDeps, 'executions' | 'events' | 'clock' | 'logger'>,
    private readonly pollMs = WATCH_POLL_MS,
  ) {}

  async *watch(id: string, signal: AbortSignal): AsyncGenerator<ExecutionEvent, void, undefined> {
    const { executions, events, clock } = this.deps;
    const inbox = new Inbox<Live>();
    // Subscribe before reading the snapshot, so nothing falls in between.
    const offs = [
      events.on('step.started', (e) => {
        if (e.executionId === id) inbox.push({ kind: 'started', path: e.path, stepId: e.stepId, attempt: e.attempt, at: clock.now() });
      }),
      events.on('step.finished', (e) => {
        if (e.executionId === id) inbox.push({ kind: 'attempt', attempt: e.attempt, willRetryAt: e.willRetryAt });
      }),
      events.on('execution.finished', (e) => {
        if (e.execution.id === id) inbox.push({ kind: 'finished', execution: e.execution });
      }),
      // Finished by another process: a wake with nothing in the inbox reads the store now.
      events.on('execution.finished.elsewhere', (e) => {
        if (e.executionId === id) inbox.wake();
      }),
    ];
    const onAbort = () => inbox.wake();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const execution = await executions.get(id);
      if (!execution) throw new TaskerError('EXECUTION_NOT_FOUND', `no execution with id '${id}'`);
      const attempts = await executions.attempts(id);
      const seen = new Set(attempts.map((a) => keyOf(a.path, a.attempt)));
      yield { type: 'snapshot', execution: { ...execution, steps: stepViews(attempts, clock.now(), execution.finishedAt) } };
      if (isFinished(execution.status)) return;

      while (!signal.aborted) {
        const live = await inbox.take(this.pollMs);
        if (signal.aborted) return;
        if (live === undefined) {
          const polled = await this.poll(id, seen);
          for (const event of polled.events) yield event;
          if (polled.ended) return;
          continue;
        }
        if (live.kind === 'finished') {
          yield { type: 'execution.finished', execution: live.execution };
          return;
        }
        if (live.kind === 'started') {
          if (!seen.has(keyOf(live.path, live.attempt))) {
            yield { type: 'step.started', executionId: id, path: live.path, stepId: live.stepId, attempt: live.attempt, at: live.at };
          }
          continue;
        }
        const key = keyOf(live.attempt.path, live.attempt.attempt);
        if (seen.has(key)) continue;
        seen.add(key);
        yield attemptEvent(id, live.attempt, live.willRetryAt, live.willRetryAt !== null);
      }
    } finally {
      for (const off of offs) off();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Events for what the store has that this stream has not sent, and whether
   * the stream is over (finished, or the execution is gone). Never throws.
   */
  private async poll(id: string, seen: Set<string>): Promise<{ events: ExecutionEvent[]; ended: boolean }> {
    try {
      // The execution first: when it is finished, every attempt is committed.
      const execution = await this.deps.executions.get(id);
      if (!execution) return { events: [], ended: true };
      const attempts = await this.deps.executions.attempts(id);
      const out: ExecutionEvent[] = [];
      for (const [i, a] of attempts.entries()) {
        const key = keyOf(a.path, a.attempt);
        if (seen.has(key)) continue;
        seen.add(key);
        // Without the engine's verdict: a failure is a retry when a later
        // attempt exists, or when it is the last entry and the execution waits.
        const retriedLater = a.status === 'failed' && attempts.some((b) => b.path === a.path && b.attempt > a.attempt);
        const waitingToRetry = a.status === 'failed' && i === attempts.length - 1 && execution.status === 'waiting';
        out.push(attemptEvent(id, a, waitingToRetry ? execution.wakeAt : null, retriedLater || waitingToRetry));
      }
      const ended = isFinished(execution.status);
      if (ended) out.push({ type: 'execution.finished', execution });
      return { events: out, ended };
    } catch (err) {
      this.deps.logger.warn({ err, executionId: id }, 'reading execution for its event stream failed; will try again');
      return { events: [], ended: false };
    }
  }
}

function attemptEvent(executionId: string, attempt: StepAttempt, willRetryAt: number | null, retrying: boolean): ExecutionEvent {
  if (attempt.status !== 'failed') return { type: 'step.finished', executionId, attempt };
  if (retrying) return { type: 'step.retrying', executionId, attempt, willRetryAt };
  return { type: 'step.failed', executionId, attempt };
}
