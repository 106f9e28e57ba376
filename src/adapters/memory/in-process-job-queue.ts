// JobQueue inside one process: delayed jobs wait in a min-heap watched by a
// single timer (armed for the earliest one), due jobs run earliest first
// (FIFO among equals), at most `concurrency` at a time. Jobs live in memory
// only: the store is the source of truth and start-up recovery re-enqueues.
// It must never let a handler's error escape and stop the loop.
import type { Clock } from '../../ports/clock.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { DueHeap, type DueEntry } from './due-heap.js';

export interface InProcessJobQueueOptions {
  /** Told about every error a handler throws; the queue goes on regardless. */
  onError?: (error: unknown, executionId: string) => void;
}

/** setTimeout's largest delay; longer waits re-arm when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Semantics beyond the port:
 * - Enqueueing an id that is already pending keeps one job, at the earlier runAt.
 * - An id is never handled twice at once: a job for an id whose handler is
 *   running waits until that handler returns (it may be enqueued meanwhile,
 *   e.g. by the handler itself, and runs after).
 * - Jobs enqueued before start() or after stop() are kept and delivered by
 *   the next start().
 */
export class InProcessJobQueue implements JobQueue {
  private readonly heap = new DueHeap();
  /** The live entry per pending id; heap entries not found here are stale. */
  private readonly pending = new Map<string, DueEntry>();
  /** Ids that are due but wait for their own running handler. */
  private readonly deferred = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private handler: ((executionId: string) => Promise<void>) | undefined;
  private concurrency = 1;
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: number | undefined;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: InProcessJobQueueOptions = {},
  ) {}

  /** Jobs waiting to run (delayed, due, or deferred behind their own running handler). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Handlers running now. */
  get runningCount(): number {
    return this.running.size;
  }

  async enqueue(executionId: string, runAt?: number): Promise<void> {
    const at = runAt ?? this.clock.now();
    const existing = this.pending.get(executionId);
    if (existing !== undefined) {
      if (at >= existing.runAt) return;
      if (this.deferred.has(executionId)) {
        existing.runAt = at; // not in the heap: safe to change in place
        return;
      }
      // Keep the original sequence number: an earlier runAt must not lose its FIFO place.
      const earlier: DueEntry = { id: executionId, runAt: at, seq: existing.seq };
      this.pending.set(executionId, earlier);
      this.heap.push(earlier); // the old heap entry is now stale and skipped
    } else {
      const entry: DueEntry = { id: executionId, runAt: at, seq: this.seq++ };
      this.pending.set(executionId, entry);
      this.heap.push(entry);
    }
    this.pump();
  }

  start(handler: (executionId: string) => Promise<void>, concurrency: number): void {
    if (this.started) throw new Error('InProcessJobQueue: start() called twice without stop()');
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`InProcessJobQueue: concurrency must be a whole number of at least 1, got ${concurrency}`);
    }
    this.handler = handler;
    this.concurrency = concurrency;
    this.started = true;
    this.pump();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.disarm();
    await Promise.all([...this.running.values()]);
  }

  /** Starts every due job there is room for, then arms the timer for the next one. */
  private pump(): void {
    if (!this.started) return;
    const now = this.clock.now();
    while (this.running.size < this.concurrency) {
      const top = this.peekLive();
      if (top === undefined || top.runAt > now) break;
      this.heap.pop();
      if (this.running.has(top.id)) {
        this.deferred.add(top.id);
        continue;
      }
      this.pending.delete(top.id);
      this.run(top.id);
    }
    const next = this.running.size < this.concurrency ? this.peekLive() : undefined;
    if (next === undefined) this.disarm();
    else this.arm(next.runAt);
  }

  /** The heap's top after dropping stale entries (superseded by an earlier runAt). */
  private peekLive(): DueEntry | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.pending.get(top.id) === top && !this.deferred.has(top.id)) return top;
      this.heap.pop();
    }
    return undefined;
  }

  private run(executionId: string): void {
    const handler = this.handler;
    if (handler === undefined) return;
    const done = Promise.resolve()
      .then(() => handler(executionId))
      .catch((err: unknown) => this.report(err, executionId))
      .finally(() => {
        this.running.delete(executionId);
        if (this.deferred.delete(executionId)) {
          const entry = this.pending.get(executionId);
          if (entry !== undefined) this.heap.push(entry);
        }
        this.pump();
      });
    this.running.set(executionId, done);
  }

  private report(err: unknown, executionId: string): void {
    try {
      this.options.onError?.(err, executionId);
    } catch {
      // An error reporter that throws must not stop the queue either.
    }
  }

  private arm(at: number): void {
    if (this.timer !== undefined && this.timerAt === at) return;
    this.disarm();
    const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.pump();
    }, delay);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }
}
