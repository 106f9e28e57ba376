// The real Redis of this machine for tests: each test gets its own key prefix
// (tasker-test:<random>:) and removes that prefix's keys after (SCAN +
// UNLINK), so suites run in parallel on one server without flushing it. A
// server that does not answer fails the test with the fix in the message.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { checkRedis, createRedisClient, redactRedisUrl } from '../../src/adapters/redis/redis-client.js';

/** The server; override with TASKER_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env.TASKER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh prefix no other test uses. */
export function uniqueRedisPrefix(): string {
  return `tasker-test:${randomBytes(6).toString('hex')}:`;
}

/** A connected client; throws a clear error if Redis does not answer. */
export async function connectTestRedis(): Promise<Redis> {
  const client = createRedisClient(TEST_REDIS_URL, 'tasker-test');
  try {
    await checkRedis(client, TEST_REDIS_URL, 3_000);
  } catch (err) {
    client.disconnect();
    throw new Error(
      `Redis is not reachable at ${redactRedisUrl(TEST_REDIS_URL)}. These tests need the real server: `
      + '.ci/run starts it in CI; start it locally (redis-server), or point TASKER_TEST_REDIS_URL at one.',
      { cause: err },
    );
  }
  return client;
}

/** Every key under the prefix (glob characters in the prefix are escaped). */
export async function scanRedisKeys(client: Redis, prefix: string): Promise<string[]> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Removes every key under the prefix; returns how many there were. */
export async function deleteRedisKeys(client: Redis, prefix: string): Promise<number> {
  const keys = await scanRedisKeys(client, prefix);
  for (let i = 0; i < keys.length; i += 1000) await client.unlink(...keys.slice(i, i + 1000));
  return keys.length;
}
