// KvStore on Redis: one hash per entry at <prefix>kv:<namespace>:<key>
// (both parts URI-encoded, so a ':' in a namespace cannot collide), field `v`
// the value as JSON text (stringifyJson: BigInt keeps every digit), field `e`
// the expiry instant. Redis deletes expired entries itself (PEXPIRE); reads
// also compare `e` with the caller's `now`, so expiry is exact. Must not:
// read the clock anywhere but the injected Clock.
import type { Redis } from 'ioredis';
import { parseJson, stringifyJson } from '../../domain/json.js';
import type { Clock } from '../../ports/clock.js';
import type { KvEntry, KvStore } from '../../ports/kv-store.js';
import { redisFailure } from './redis-client.js';

export interface RedisKvStoreOptions {
  /** Put before every key; default `tasker:`. */
  prefix?: string;
  /** The time expiresAt is measured against when the TTL is set (the app's clock). */
  clock: Clock;
}

/** Deletes the entry; answers 1 only if it was live at ARGV[1] (an expired leftover counts as absent). */
const DELETE_LIVE = `
local e = redis.call('HGET', KEYS[1], 'e')
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
if e and tonumber(e) <= tonumber(ARGV[1]) then return 0 end
return 1
`;

export class RedisKvStore implements KvStore {
  private readonly prefix: string;
  private readonly clock: Clock;

  constructor(
    private readonly redis: Redis,
    options: RedisKvStoreOptions,
  ) {
    this.prefix = options.prefix ?? 'tasker:';
    this.clock = options.clock;
  }

  /** The Redis key of an entry. */
  keyOf(namespace: string, key: string): string {
    return `${this.prefix}kv:${encodeURIComponent(namespace)}:${encodeURIComponent(key)}`;
  }

  async get(namespace: string, key: string, now: number): Promise<KvEntry | null> {
    const [text, expiry] = await this.run(() => this.redis.hmget(this.keyOf(namespace, key), 'v', 'e'));
    if (text === null || text === undefined) return null;
    const expiresAt = expiry === null || expiry === undefined ? null : Number(expiry);
    if (expiresAt !== null && expiresAt <= now) return null;
    return { namespace, key, value: parseJson(text), expiresAt };
  }

  async set(entry: KvEntry): Promise<void> {
    const redisKey = this.keyOf(entry.namespace, entry.key);
    const text = stringifyJson(entry.value);
    const tx = this.redis.multi().del(redisKey);
    if (entry.expiresAt === null) {
      tx.hset(redisKey, 'v', text);
    } else {
      const ttlMs = Math.ceil(entry.expiresAt - this.clock.now());
      // Already expired by our clock: nothing to keep (the DEL above stands).
      if (ttlMs > 0) tx.hset(redisKey, 'v', text, 'e', String(entry.expiresAt)).pexpire(redisKey, ttlMs);
    }
    const results = await this.run(() => tx.exec());
    const failed = results?.find(([err]) => err !== null)?.[0];
    if (failed) throw failed;
  }

  async delete(namespace: string, key: string, now: number): Promise<boolean> {
    const removed = await this.run(() => this.redis.eval(DELETE_LIVE, 1, this.keyOf(namespace, key), String(now)));
    return removed === 1;
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw redisFailure(this.redis, err);
    }
  }
}
