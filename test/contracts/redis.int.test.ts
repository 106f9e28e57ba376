// Runs the KvStore and JobQueue contracts against the Redis adapters on the
// real Redis of this machine, each test under its own key prefix (removed
// after), plus what only these adapters promise: native TTL, keys that cannot
// collide, finished jobs removed, a wake sent while its job runs kept. If
// Redis does not answer, every test here fails with the fix in the message.
import { createServer } from 'node:net';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BullmqJobQueue } from '../../src/adapters/redis/bullmq-job-queue.js';
import { createRedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisKvStore } from '../../src/adapters/redis/redis-kv-store.js';
import { isBackendUnavailable } from '../../src/adapters/backend-unavailable.js';
import type { Logger } from '../../src/ports/logger.js';
import { connectTestRedis, deleteRedisKeys, scanRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis.js';
import { jobQueueContract } from './job-queue.contract.js';
import { kvStoreContract, T0 } from './kv-store.contract.js';

let redis: Redis;
let connecting: Promise<Redis> | undefined;
const silent: Logger = pino({ level: 'silent' });
const systemClock = { now: () => Date.now() };

// Connected in each test's setup (not once in beforeAll), so that with Redis
// down every test fails with the message, rather than being reported skipped.
beforeEach(async () => {
  redis = await (connecting ??= connectTestRedis());
});
afterAll(async () => {
  await connecting?.then((client) => client.quit()).catch(() => undefined);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The contract passes its own `now` (around T0, in 2025); the TTL Redis
// enforces is measured against the store's clock, fixed there to match.
kvStoreContract('RedisKvStore', async () => {
  const prefix = uniqueRedisPrefix();
  return {
    store: new RedisKvStore(redis, { prefix, clock: { now: () => T0 } }),
    cleanup: async () => { await deleteRedisKeys(redis, prefix); },
  };
});

jobQueueContract(
  'BullmqJobQueue',
  async () => {
    const prefix = uniqueRedisPrefix();
    const queue = new BullmqJobQueue({ url: TEST_REDIS_URL, prefix, clock: systemClock, logger: silent });
    return {
      store: { queue, now: systemClock.now },
      cleanup: async () => {
        await queue.close();
        await deleteRedisKeys(redis, prefix);
      },
    };
  },
  {
    'one job per pending id':
      'BullMQ keeps one job per (execution, instant): a wake for another instant is its own delayed job, '
      + 'which finds nothing to do if the execution moved on. Merging them would need a read-modify-write '
      + 'across processes; the lease makes the duplicate harmless',
  },
);

describe('RedisKvStore on Redis', () => {
  it('lets Redis drop an expired entry by itself', async () => {
    const prefix = uniqueRedisPrefix();
    const store = new RedisKvStore(redis, { prefix, clock: systemClock });
    try {
      await store.set({ namespace: 'n', key: 'brief', value: 1, expiresAt: Date.now() + 100 });
      await store.set({ namespace: 'n', key: 'kept', value: 2, expiresAt: null });
      expect(await redis.pttl(store.keyOf('n', 'brief'))).toBeGreaterThan(0);
      expect(await redis.pttl(store.keyOf('n', 'kept'))).toBe(-1);
      await until(async () => (await redis.exists(store.keyOf('n', 'brief'))) === 0, 5_000);
      expect(await scanRedisKeys(redis, prefix)).toEqual([store.keyOf('n', 'kept')]);
    } finally {
      await deleteRedisKeys(redis, prefix);
    }
  });

  it('keeps a colon in a namespace from colliding with a colon in a key', async () => {
    const prefix = uniqueRedisPrefix();
    const store = new RedisKvStore(redis, { prefix, clock: systemClock });
    try {
      await store.set({ namespace: 'a:b', key: 'c', value: 'first', expiresAt: null });
      await store.set({ namespace: 'a', key: 'b:c', value: 'second', expiresAt: null });
      expect((await store.get('a:b', 'c', Date.now()))?.value).toBe('first');
      expect((await store.get('a', 'b:c', Date.now()))?.value).toBe('second');
      expect((await scanRedisKeys(redis, prefix)).sort()).toEqual([`${prefix}kv:a%3Ab:c`, `${prefix}kv:a:b%3Ac`]);
    } finally {
      await deleteRedisKeys(redis, prefix);
    }
  });

  it('stores the value as JSON text under the prefix, readable by other tools', async () => {
    const prefix = uniqueRedisPrefix();
    const store = new RedisKvStore(redis, { prefix, clock: systemClock });
    try {
      await store.set({ namespace: 'default', key: 'last-id', value: { id: 12345678901234567890n }, expiresAt: null });
      expect(await redis.hget(`${prefix}kv:default:last-id`, 'v')).toBe('{"id":12345678901234567890}');
    } finally {
      await deleteRedisKeys(redis, prefix);
    }
  });
});

describe('the Redis adapters while Redis is away', () => {
  it('fail a storage command with the socket error as its cause, so the API answers 503', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await closedPort()}`, 'tasker-test-down');
    const store = new RedisKvStore(client, { clock: systemClock });
    try {
      const failure = await store.get('n', 'k', Date.now()).then(() => null, (err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      expect(isBackendUnavailable(failure)).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});

describe('BullmqJobQueue on Redis', () => {
  it('removes finished jobs, whether the handler succeeded or threw', async () => {
    const prefix = uniqueRedisPrefix();
    const queue = new BullmqJobQueue({ url: TEST_REDIS_URL, prefix, clock: systemClock, logger: silent });
    try {
      let handled = 0;
      queue.start(async (id) => {
        handled++;
        if (id.startsWith('bad')) throw new Error('boom');
      }, 4);
      for (let i = 0; i < 10; i++) await queue.enqueue(`${i % 2 === 0 ? 'good' : 'bad'}-${i}`, i < 5 ? undefined : Date.now() + 50);
      await until(() => handled === 10);
      await until(async () => Object.values(await queue.jobCounts()).every((n) => n === 0));
      // Only the queue's own bookkeeping may stay: no job hash, log or de-duplication key.
      // (Compare what follows the queue prefix: the random test prefix is hex and once spelt "bad".)
      const queueKeyPrefix = `${prefix}bull:executions:`;
      const queueBookkeeping = new Set(['id', 'meta', 'events', 'stalled-check', 'marker']);
      const leftover = (await scanRedisKeys(redis, queueKeyPrefix))
        .map((k) => k.slice(queueKeyPrefix.length))
        .filter((rest) => !queueBookkeeping.has(rest));
      expect(leftover).toEqual([]);
    } finally {
      await queue.close();
      await deleteRedisKeys(redis, prefix);
    }
  });

  it('keeps a wake sent while that execution is being handled, and runs it after, never at the same time', async () => {
    const prefix = uniqueRedisPrefix();
    const queue = new BullmqJobQueue({ url: TEST_REDIS_URL, prefix, clock: systemClock, logger: silent });
    try {
      let release!: () => void;
      const blocked = new Promise<void>((r) => { release = r; });
      let calls = 0;
      let active = 0;
      let overlap = false;
      queue.start(async () => {
        calls++;
        active++;
        if (active > 1) overlap = true;
        if (calls === 1) await blocked;
        active--;
      }, 4);
      await queue.enqueue('parent');
      await until(() => calls === 1);
      await queue.enqueue('parent');
      await queue.enqueue('parent');
      await new Promise((r) => setTimeout(r, 200));
      expect(calls).toBe(1);
      release();
      await until(() => calls === 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toBe(2);
      expect(overlap).toBe(false);
    } finally {
      await queue.close();
      await deleteRedisKeys(redis, prefix);
    }
  });

  it('runs a job again when the worker holding it died, then the wake sent meanwhile', async () => {
    const prefix = uniqueRedisPrefix();
    // A worker like ours that takes the job and dies with it (force-closed: its lock is never renewed nor released).
    const doomed = new Worker('executions', () => new Promise<void>(() => undefined), {
      connection: { url: TEST_REDIS_URL }, prefix: `${prefix}bull`, lockDuration: 5_000, stalledInterval: 2_500,
    });
    doomed.on('error', () => undefined);
    const queue = new BullmqJobQueue({ url: TEST_REDIS_URL, prefix, clock: systemClock, logger: silent, stalledAfterMs: 5_000 });
    try {
      let taken = false;
      doomed.on('active', () => { taken = true; });
      await queue.enqueue('orphan');
      await until(() => taken);
      await doomed.close(true);
      const died = Date.now();
      const seen: number[] = [];
      queue.start(async () => { seen.push(Date.now() - died); }, 1);
      await queue.enqueue('orphan'); // what the reconciler sends once the execution's lease expires
      await until(() => seen.length >= 1, 30_000);
      // The lock lapses after 5 s; a stalled check marks the job, the next one moves it back.
      expect(seen[0]).toBeGreaterThanOrEqual(4_000);
      expect(seen[0]).toBeLessThan(25_000);
      // Then the wake sent while the dead worker held it runs too.
      await until(() => seen.length === 2, 10_000);
      console.log(`redis: a job held by a dead worker ran again ${seen[0]} ms after it died (stalledAfterMs 5000)`);
    } finally {
      await doomed.close(true).catch(() => undefined);
      await queue.close();
      await deleteRedisKeys(redis, prefix);
    }
  }, 45_000);

  it('logs an enqueue that Redis cannot take instead of throwing', async () => {
    const warnings: string[] = [];
    const ignore = () => undefined;
    const logger: Logger = { debug: ignore, info: ignore, error: ignore, warn: (_obj, msg) => { if (msg) warnings.push(msg); }, child: () => logger };
    const queue = new BullmqJobQueue({ url: `redis://127.0.0.1:${await closedPort()}`, clock: systemClock, logger, enqueueTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(queue.enqueue('e1')).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(warnings).toContain('could not enqueue the execution; the reconciler will');
    } finally {
      await queue.close();
    }
  });
});
