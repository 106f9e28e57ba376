// The behaviour every JobQueue adapter must show (in-process, BullMQ):
// delays honoured, earliest-first delivery, the concurrency limit, pending
// duplicates coalesced, stop() waiting for running handlers, handler errors
// contained. Assertions about time only bound from below or generously. An
// adapter may skip a case only with a written reason (`skip`).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/ports/job-queue.js';
import type { StoreFactory } from './store-harness.js';

/** Resolves when `check` holds, polling; fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => { open = r; });
  return { wait, open };
}

/** Cases an adapter may skip, each with the reason it cannot meet them. */
export type JobQueueSkips = Partial<Record<'one job per pending id', string>>;

/** `now` is the clock the queue was given (runAt is read against it). */
export function jobQueueContract(name: string, factory: StoreFactory<{ queue: JobQueue; now(): number }>, skip: JobQueueSkips = {}): void {
  /** A case the adapter skipped shows its reason in the test name. */
  const optional = (key: keyof JobQueueSkips, title: string, fn: () => Promise<void>) => {
    const reason = skip[key];
    if (reason === undefined) it(title, fn);
    else it.skip(`${title} (skipped: ${reason})`, fn);
  };

  describe(`${name} (JobQueue contract)`, () => {
    let queue: JobQueue;
    let now: () => number;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const h = await factory();
      ({ queue, now } = h.store);
      cleanup = h.cleanup;
    });
    afterEach(async () => {
      await queue.stop();
      await cleanup();
    });

    it('delivers an enqueued job to the handler', async () => {
      const seen: string[] = [];
      queue.start(async (id) => { seen.push(id); }, 1);
      await queue.enqueue('e1');
      await until(() => seen.length === 1);
      expect(seen).toEqual(['e1']);
    });

    it('does not deliver a delayed job before its runAt', async () => {
      const delivered: number[] = [];
      queue.start(async () => { delivered.push(now()); }, 1);
      const runAt = now() + 400;
      await queue.enqueue('late', runAt);
      await until(() => delivered.length === 1);
      expect(delivered[0]).toBeGreaterThanOrEqual(runAt);
      expect(delivered[0]).toBeLessThan(runAt + 5000);
    });

    it('delivers due jobs earliest first, in enqueue order among equals', async () => {
      const seen: string[] = [];
      const t = now();
      // a and b must still be in the future when x and y are enqueued: the
      // margin covers a first enqueue that also opens a connection (BullMQ).
      await queue.enqueue('b', t + 1300);
      await queue.enqueue('a', t + 1000);
      await queue.enqueue('x');
      await queue.enqueue('y');
      queue.start(async (id) => { seen.push(id); }, 1);
      await until(() => seen.length === 4);
      expect(seen).toEqual(['x', 'y', 'a', 'b']);
    });

    it('never runs more handlers at once than the concurrency allows', async () => {
      let active = 0;
      let peak = 0;
      let finished = 0;
      const g = gate();
      queue.start(async () => {
        active++;
        peak = Math.max(peak, active);
        await g.wait;
        await new Promise((r) => setTimeout(r, 10));
        active--;
        finished++;
      }, 2);
      for (let i = 0; i < 6; i++) await queue.enqueue(`e${i}`);
      await until(() => active === 2);
      g.open();
      await until(() => finished === 6);
      expect(peak).toBe(2);
    });

    it('delivers a duplicate enqueued for the same instant once', async () => {
      const seen: string[] = [];
      const t = now();
      // `later` must stay in the future across the loop (a wide margin, as above).
      for (let i = 0; i < 3; i++) {
        await queue.enqueue('now');
        await queue.enqueue('later', t + 1000);
      }
      await queue.enqueue('sentinel', t + 1500);
      queue.start(async (id) => { seen.push(id); }, 1);
      await until(() => seen.includes('sentinel'));
      expect(seen).toEqual(['now', 'later', 'sentinel']);
    });

    it('does not hold a job back behind a later one pending for the same id', async () => {
      const seen: string[] = [];
      const t = now();
      await queue.enqueue('dup', t + 60_000);
      await queue.enqueue('dup', t + 50);
      await queue.enqueue('sentinel', t + 300);
      queue.start(async (id) => { seen.push(id); }, 1);
      await until(() => seen.includes('sentinel'));
      expect(seen).toEqual(['dup', 'sentinel']);
    });

    optional('one job per pending id', 'coalesces pending jobs for one id into one job at the earliest runAt', async () => {
      const seen: string[] = [];
      const t = now();
      await queue.enqueue('dup', t + 60_000);
      await queue.enqueue('dup', t + 50);
      await queue.enqueue('dup', t + 300);
      await queue.enqueue('sentinel', t + 700);
      queue.start(async (id) => { seen.push(id); }, 1);
      await until(() => seen.includes('sentinel'));
      expect(seen).toEqual(['dup', 'sentinel']);
    });

    it('keeps going when a handler throws', async () => {
      const seen: string[] = [];
      queue.start(async (id) => {
        if (id === 'bad') throw new Error('boom');
        seen.push(id);
      }, 1);
      await queue.enqueue('bad');
      await queue.enqueue('good');
      await until(() => seen.includes('good'));
    });

    it('stop() waits for the handlers in progress and then delivers nothing more', async () => {
      const g = gate();
      let started = 0;
      let finished = 0;
      queue.start(async () => {
        started++;
        await g.wait;
        finished++;
      }, 1);
      await queue.enqueue('slow');
      await until(() => started === 1);
      let stopped = false;
      const stopping = queue.stop().then(() => { stopped = true; });
      await new Promise((r) => setTimeout(r, 50));
      expect(stopped).toBe(false);
      g.open();
      await stopping;
      expect(finished).toBe(1);
      await queue.enqueue('after-stop');
      await new Promise((r) => setTimeout(r, 200));
      expect(started).toBe(1);
    });
  });
}
