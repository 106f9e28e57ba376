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
    /** Whether a lease owner is a process known to be gone (its leases are freed at once). */
    private readonly isDeadOwner: (owner: string) => boolean = () => false,
  ) {}

  async start(): Promise<void> {
    this.deps.queue.start((id) => this.driver.drive(id), this.deps.settings.workerConcurrency);
    await this.reconcile();
    this.reconciler = setInterval(() => {
      this.reconciling ??= this.reconcile().finally(() => (this.reconciling = undefined));
    }, this.deps.settings.leaseMs);
  }

  /** Enqueues every unfinished execution whose lease is free or expired (or held by a dead process). */
  async reconcile(): Promise<number> {
    try {
      await this.freeDeadLeases();
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

  /** A process of this machine that died (kill -9) left leases nobody will renew: free them now. */
  private async freeDeadLeases(): Promise<void> {
    const now = this.deps.clock.now();
    for (const owner of await this.deps.executions.listLeaseOwners(now)) {
      if (!this.isDeadOwner(owner)) continue;
      const freed = await this.deps.executions.freeLeasesOf(owner, now);
      if (freed > 0) this.deps.logger.info({ owner, freed }, 'freed the leases of a process that is gone');
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
