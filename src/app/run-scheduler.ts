// The scheduler loop: sleeps until the earliest next fire instant (no fixed
// polling tick), fires what is due, and sleeps again. Schedule changes wake it
// early. The sleep is capped so changes made by other processes are seen.
// Never throws out of the loop: errors are logged and the loop goes on.
import type { AppDeps } from './deps.js';
import type { FireDueSchedules } from './fire-due-schedules.js';

const RETRY_AFTER_ERROR_MS = 1_000;

export class SchedulerLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly deps: AppDeps,
    private readonly firing: FireDueSchedules,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Runs a pass now (coalesced with one in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    let sleep = RETRY_AFTER_ERROR_MS;
    try {
      const { errors } = await this.firing.fireDue();
      const next = await this.deps.schedules.nextFireAt();
      const now = this.deps.clock.now();
      const cap = this.deps.settings.schedulerMaxSleepMs;
      sleep = next === null ? cap : Math.min(Math.max(0, next - now), cap);
      // A schedule that keeps failing stays due; never spin on it.
      if (errors > 0) sleep = Math.max(sleep, RETRY_AFTER_ERROR_MS);
    } catch (err) {
      this.deps.logger.error({ err }, 'scheduler pass failed; retrying');
    }
    if (!this.stopped) this.timer = setTimeout(() => this.wake(), sleep);
  }
}
