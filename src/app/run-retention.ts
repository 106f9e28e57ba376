// The retention loop, started with the worker when TASKER_RETENTION is set:
// a pass soon after start, then one every PRUNE_INTERVAL_MS. Never throws out
// of the loop: a failed pass is logged and the next one tries again. Stopping
// waits for the pass in progress, which stops between batches.
import type { AppDeps } from './deps.js';
import type { PruneExecutions } from './prune-executions.js';

export const PRUNE_INTERVAL_MS = 10 * 60_000;
const FIRST_PASS_DELAY_MS = 1_000;

export interface RetentionLoopOptions {
  intervalMs?: number;
  firstDelayMs?: number;
}

export class RetentionLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: Pick<AppDeps, 'logger'>,
    private readonly pruner: PruneExecutions,
    private readonly options: RetentionLoopOptions = {},
  ) {}

  /** Starts the loop; does nothing when retention is off or the loop already runs. */
  start(): void {
    if (!this.pruner.enabled || !this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.firstDelayMs ?? FIRST_PASS_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; resolves (never rejects) when it is done. */
  async pass(): Promise<void> {
    try {
      await this.pruner.prune(() => this.stopped);
    } catch (err) {
      this.deps.logger.error({ err }, 'pruning finished executions failed; will try again');
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.options.intervalMs ?? PRUNE_INTERVAL_MS);
      });
    }, delayMs);
  }
}
