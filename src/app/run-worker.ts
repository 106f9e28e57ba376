// The worker: takes execution jobs from the queue and drives them. On start
// and then every lease period it re-enqueues unfinished executions nobody
// holds (a crash, a lost job), so no execution is ever stranded. On stop it
// takes no new work, lets in-flight steps finish within the grace period,
// then aborts them without recording a failure: the next start resumes them.
import type { AppDeps } from './deps.js';
import type { ExecutionDriver } from './drive-execution.js';
import { ShutdownAbort, type InFlight } from './in-flight.js';

const RECOVERY_BATCH = 500;

export class WorkerLoop {
  private reconciler: NodeJS.Timeout | undefined;
  private reconciling: Promise<number> | undefined;

  constructor(
    private readonly deps: AppDeps,
    private readonly driver: ExecutionDriver,
    private readonly inFlight: InFlight,
  ) {}

  async start(): Promise<void> {
    this.deps.queue.start((id) => this.driver.drive(id), this.deps.settings.workerConcurrency);
    await this.reconcile();
    this.reconciler = setInterval(() => {
      this.reconciling ??= this.reconcile().finally(() => (this.reconciling = undefined));
    }, this.deps.settings.leaseMs);
  }

  /** Enqueues every unfinished execution whose lease is free or expired. */
  async reconcile(): Promise<number> {
    try {
      const resumable = await this.deps.executions.listResumable(this.deps.clock.now(), RECOVERY_BATCH);
      for (const execution of resumable) {
        await this.deps.queue.enqueue(execution.id, execution.status === 'waiting' ? (execution.wakeAt ?? undefined) : undefined);
      }
      if (resumable.length > 0) this.deps.logger.info({ count: resumable.length }, 'resuming unfinished executions');
      return resumable.length;
    } catch (err) {
      this.deps.logger.error({ err }, 'reconciling executions failed');
      return 0;
    }
  }

  async stop(graceMs: number): Promise<void> {
    clearInterval(this.reconciler);
    await this.reconciling;
    const grace = setTimeout(() => this.inFlight.abortAll(new ShutdownAbort()), graceMs);
    try {
      await this.deps.queue.stop();
    } finally {
      clearTimeout(grace);
    }
  }
}
