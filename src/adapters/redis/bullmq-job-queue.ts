// JobQueue on BullMQ (Redis), so executions started by any process reach the
// workers of every process, and waits (delay steps, retry back-off) are
// BullMQ delayed jobs. Redis is only the dispatcher: the SQL store holds the
// truth and the lease decides who drives an execution, so a lost job is
// recovered by the worker's reconciler and a duplicate is a harmless no-op.
// Must not: let a handler's error or a Redis outage escape into the caller.
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Clock } from '../../ports/clock.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { Logger } from '../../ports/logger.js';

export interface BullmqJobQueueOptions {
  /** `redis://…` or `rediss://…`; BullMQ opens (and closes) its own connections. */
  url: string;
  /** Put before every key; default `tasker:` (BullMQ's keys live under `<prefix>bull:`). */
  prefix?: string;
  clock: Clock;
  logger: Logger;
  /** How long an enqueue may wait for Redis before it gives up (and logs); default 5 s. */
  enqueueTimeoutMs?: number;
  /**
   * How soon a job held by a worker that died counts as stalled and runs
   * again (BullMQ's lockDuration; checked every half of it): between this
   * and twice this. Default 30 s, at least 5 s. Set it to the execution
   * lease, so a job taken by a crashed process is freed about when the
   * execution's lease is.
   */
  stalledAfterMs?: number;
}

interface ExecutionJob {
  executionId: string;
}

const QUEUE_NAME = 'executions';
const JOB_NAME = 'drive';

/**
 * How duplicates are treated (the SQL store stays the source of truth):
 * - A job due now (no runAt, or runAt not later than now) is deduplicated by
 *   execution id with BullMQ's `keepLastIfActive`: while one waits, more
 *   enqueues add nothing; while one is running, one more is kept and runs
 *   after it. So a wake sent while the execution is being driven (a sub-task
 *   finishing under its parent) is never dropped.
 * - A later job gets the id `<execution id>@<runAt>`: the same wake enqueued
 *   again (the reconciler re-sends a waiting execution's wakeAt every lease
 *   period) coalesces; a different instant is a separate job, which finds
 *   nothing to do if the execution moved on. No running job can hold that id
 *   (its runAt was at most the time it started, which is before now).
 * - Finished jobs are removed at once: a kept one would make BullMQ ignore a
 *   later enqueue with the same id.
 * - Within this process, jobs for one execution run one after the other.
 * - A failed enqueue (Redis down) is logged, not thrown: the execution is
 *   already stored, and the reconciler re-enqueues it when Redis answers.
 * - Jobs enqueued while no worker runs wait in Redis for the next start().
 */
export class BullmqJobQueue implements JobQueue {
  private readonly queue: Queue<ExecutionJob>;
  private readonly prefix: string;
  private worker: Worker<ExecutionJob> | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullmqJobQueueOptions) {
    this.prefix = `${options.prefix ?? 'tasker:'}bull`;
    // The producer fails fast while Redis is away (no offline queue) instead of holding API requests.
    const connection = { url: options.url, connectionName: 'tasker-queue', enableOfflineQueue: false, maxRetriesPerRequest: 1 };
    this.queue = new Queue<ExecutionJob>(QUEUE_NAME, { connection, prefix: this.prefix });
    this.queue.on('error', (err: Error) => options.logger.warn({ err }, 'job queue connection error'));
  }

  async enqueue(executionId: string, runAt?: number): Promise<void> {
    const delay = runAt === undefined ? 0 : Math.max(0, Math.ceil(runAt - this.options.clock.now()));
    const opts: JobsOptions = { removeOnComplete: true, removeOnFail: true };
    if (delay === 0) opts.deduplication = { id: encodeURIComponent(executionId), keepLastIfActive: true };
    else Object.assign(opts, { delay, jobId: `${encodeURIComponent(executionId)}@${runAt}` });
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.enqueueTimeoutMs ?? 5_000;
    try {
      await Promise.race([
        this.queue.add(JOB_NAME, { executionId }, opts),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not take the job within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      this.options.logger.warn({ err, executionId, runAt }, 'could not enqueue the execution; the reconciler will');
    } finally {
      clearTimeout(timer);
    }
  }

  start(handler: (executionId: string) => Promise<void>, concurrency: number): void {
    if (this.worker !== undefined) throw new Error('BullmqJobQueue: start() called twice without stop()');
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`BullmqJobQueue: concurrency must be a whole number of at least 1, got ${concurrency}`);
    }
    const stalledAfter = Math.max(5_000, this.options.stalledAfterMs ?? 30_000);
    const worker = new Worker<ExecutionJob>(QUEUE_NAME, (job: Job<ExecutionJob>) => this.handle(job.data.executionId, handler), {
      connection: { url: this.options.url, connectionName: 'tasker-worker' },
      prefix: this.prefix,
      concurrency,
      // A lock lapses `stalledAfter` after its worker died; checks every half of it find it soon after.
      lockDuration: stalledAfter,
      stalledInterval: Math.floor(stalledAfter / 2),
    });
    worker.on('error', (err: Error) => this.options.logger.warn({ err }, 'job worker connection error'));
    this.worker = worker;
  }

  /** Stops taking jobs and waits for the running ones. Enqueueing still works until close(). */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.close();
    await Promise.all([...this.running.values()]);
  }

  /** Jobs in Redis by state (finished ones are removed at once, so `completed` and `failed` stay 0). */
  jobCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed');
  }

  /** Stops the worker, then closes the producer's connection. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stop();
      await this.queue.close();
    })();
    return this.closing;
  }

  /** Runs the handler after any earlier job for the same execution here has finished; never throws. */
  private handle(executionId: string, handler: (executionId: string) => Promise<void>): Promise<void> {
    const before = this.running.get(executionId);
    const run = (async () => {
      if (before !== undefined) await before;
      try {
        await handler(executionId);
      } catch (err) {
        this.options.logger.error({ err, executionId }, 'job handler failed');
      }
    })();
    const tail: Promise<void> = run.finally(() => {
      if (this.running.get(executionId) === tail) this.running.delete(executionId);
    });
    this.running.set(executionId, tail);
    return tail;
  }
}
