// The Redis side of a deployment, built in one call for the composition root:
// the kv store (storage steps and /v1/storage) and the BullMQ job queue, all
// under one key prefix. Refuses to start when Redis does not answer, with the
// fix in the message. Must not: hold anything the SQL store must keep (Redis
// may lose its data; see docs/scaling.md).
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { BullmqJobQueue } from './bullmq-job-queue.js';
import { RedisFinishNotices } from './finish-notices.js';
import { checkRedis, createRedisClient } from './redis-client.js';
import { RedisKvStore } from './redis-kv-store.js';

export { BullmqJobQueue } from './bullmq-job-queue.js';
export { RedisKvStore } from './redis-kv-store.js';
export { RedisFinishNotices } from './finish-notices.js';

export interface RedisAdapters {
  kv: RedisKvStore;
  queue: BullmqJobQueue;
  /** "Execution finished" hints between processes (pub/sub). */
  notices: RedisFinishNotices;
  /** Whether Redis answers PING now. */
  ping(): Promise<boolean>;
  /** Stops the queue's worker (if started) and closes every Redis connection. Safe to call twice. */
  close(): Promise<void>;
}

export interface RedisAdapterOptions {
  url: string;
  /** Put before every key, e.g. `tasker:`. */
  prefix: string;
  clock: Clock;
  logger: Logger;
  /** The execution lease: a job held by a worker that died runs again about this long after. */
  leaseMs: number;
}

export async function createRedisAdapters(options: RedisAdapterOptions): Promise<RedisAdapters> {
  const client = createRedisClient(options.url, 'tasker-kv');
  try {
    await checkRedis(client, options.url);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const kv = new RedisKvStore(client, { prefix: options.prefix, clock: options.clock });
  const queue = new BullmqJobQueue({
    url: options.url,
    prefix: options.prefix,
    clock: options.clock,
    logger: options.logger,
    stalledAfterMs: options.leaseMs,
  });
  const notices = new RedisFinishNotices(client, { url: options.url, prefix: options.prefix, logger: options.logger });
  let closing: Promise<void> | undefined;
  return {
    kv,
    queue,
    notices,
    ping: async () => {
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: () =>
      (closing ??= (async () => {
        try {
          await queue.close();
          await notices.close();
        } finally {
          await client.quit().catch(() => client.disconnect());
        }
      })()),
  };
}
