// Retention (TASKER_RETENTION): deletes finished executions, with their
// journals, whose finishedAt is older than the retention, in small batches so
// the database is never locked for long. It must never delete an unfinished
// execution (the store's query guarantees it) and does nothing when
// retention is off.
import type { AppDeps } from './deps.js';

export const PRUNE_BATCH_SIZE = 500;

export type PruneDeps = Pick<AppDeps, 'executions' | 'clock' | 'logger' | 'settings'>;

export class PruneExecutions {
  constructor(
    private readonly deps: PruneDeps,
    private readonly batchSize = PRUNE_BATCH_SIZE,
  ) {}

  /** True when TASKER_RETENTION is set. */
  get enabled(): boolean {
    return typeof this.deps.settings.retentionMs === 'number';
  }

  /**
   * Prunes batch after batch until none is left (or `shouldStop` says so
   * between batches); returns how many executions were deleted. Throws what
   * the store throws: the loop that calls it logs and goes on.
   */
  async prune(shouldStop: () => boolean = () => false): Promise<number> {
    const retentionMs = this.deps.settings.retentionMs;
    if (typeof retentionMs !== 'number') return 0;
    const cutoff = this.deps.clock.now() - retentionMs;
    let total = 0;
    for (;;) {
      const deleted = await this.deps.executions.pruneFinished(cutoff, this.batchSize);
      total += deleted;
      if (deleted < this.batchSize || shouldStop()) break;
      // Let requests and steps use the database between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (total > 0) {
      this.deps.logger.info({ count: total, finishedBefore: new Date(cutoff).toISOString() }, 'pruned finished executions');
    }
    return total;
  }
}
