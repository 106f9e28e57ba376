import { describe, expect, it } from 'vitest';
import { jobQueueContract } from '../../../test/contracts/job-queue.contract.js';
import { InProcessJobQueue } from './in-process-job-queue.js';

const realClock = { now: () => Date.now() };

jobQueueContract('InProcessJobQueue', async () => {
  const queue = new InProcessJobQueue(realClock);
  return { store: { queue, now: realClock.now }, cleanup: async () => {} };
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('InProcessJobQueue', () => {
  it('reports a handler error with the execution id to onError', async () => {
    const errors: Array<[unknown, string]> = [];
    const queue = new InProcessJobQueue(realClock, { onError: (err, id) => errors.push([err, id]) });
    queue.start(async () => { throw new Error('boom'); }, 1);
    await queue.enqueue('e1');
    await until(() => errors.length === 1);
    await queue.stop();
    expect((errors[0]?.[0] as Error).message).toBe('boom');
    expect(errors[0]?.[1]).toBe('e1');
  });

  it('survives an onError callback that throws and a handler that throws synchronously', async () => {
    const seen: string[] = [];
    const queue = new InProcessJobQueue(realClock, { onError: () => { throw new Error('reporter broke'); } });
    queue.start((id) => {
      if (id === 'bad') throw new Error('sync');
      seen.push(id);
      return Promise.resolve();
    }, 1);
    await queue.enqueue('bad');
    await queue.enqueue('good');
    await until(() => seen.length === 1);
    await queue.stop();
  });

  it('never runs two handlers for the same execution at once, but runs a re-enqueued id afterwards', async () => {
    let active = 0;
    let peak = 0;
    let runs = 0;
    const queue = new InProcessJobQueue(realClock);
    queue.start(async (id) => {
      active++;
      peak = Math.max(peak, active);
      runs++;
      if (runs === 1) await queue.enqueue(id); // re-enqueued while running
      await new Promise((r) => setTimeout(r, 50));
      active--;
    }, 4);
    await queue.enqueue('same');
    await until(() => runs === 2 && active === 0);
    await queue.stop();
    expect(peak).toBe(1);
  });

  it('holds jobs enqueued before start and delivers them once started', async () => {
    const seen: string[] = [];
    const queue = new InProcessJobQueue(realClock);
    await queue.enqueue('early');
    expect(queue.pendingCount).toBe(1);
    queue.start(async (id) => { seen.push(id); }, 1);
    await until(() => seen.length === 1);
    await queue.stop();
    expect(queue.pendingCount).toBe(0);
  });

  it('refuses a concurrency below 1 and a second start', async () => {
    const queue = new InProcessJobQueue(realClock);
    expect(() => queue.start(async () => {}, 0)).toThrow(/concurrency/);
    queue.start(async () => {}, 1);
    expect(() => queue.start(async () => {}, 1)).toThrow(/twice/);
    await queue.stop();
  });

  it('reads due-ness from the clock it was given', async () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const seen: string[] = [];
    const queue = new InProcessJobQueue(clock);
    queue.start(async (id) => { seen.push(id); }, 1);
    // Due by this clock (an hour ahead) though a minute away in real time: it runs at once.
    offset = 3_600_000;
    await queue.enqueue('shifted', Date.now() + 60_000);
    await until(() => seen.length === 1);
    await queue.stop();
  });
});
