// KvStore on SQL. Expired entries are invisible to reads and removed lazily
// when touched (a sweep job may delete the rest later). Values are JSON text
// written by stringifyJson, so BigInt values keep every digit.
import type { Kysely } from 'kysely';
import type { KvEntry, KvStore } from '../../ports/kv-store.js';
import type { DatabaseSchema } from './database-schema.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import { readJson, toNullableNumber, writeJson } from './row-values.js';

export class SqlKvStore implements KvStore {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly caps: DialectCapabilities,
  ) {}

  async get(namespace: string, key: string, now: number): Promise<KvEntry | null> {
    const row = await this.db.selectFrom('kv').selectAll()
      .where('namespace', '=', namespace).where('key', '=', key)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (row === undefined) return null;
    return { namespace: row.namespace, key: row.key, value: readJson(row.value), expiresAt: toNullableNumber(row.expires_at) };
  }

  async set(entry: KvEntry): Promise<void> {
    const changes = { value: writeJson(entry.value), expires_at: entry.expiresAt };
    const insert = this.db.insertInto('kv').values({ namespace: entry.namespace, key: entry.key, ...changes });
    const upsert = this.caps.upsert === 'on-conflict'
      ? insert.onConflict((oc) => oc.columns(['namespace', 'key']).doUpdateSet(changes))
      : insert.onDuplicateKeyUpdate(changes);
    await upsert.execute();
  }

  async delete(namespace: string, key: string, now: number): Promise<boolean> {
    const live = await this.db.deleteFrom('kv')
      .where('namespace', '=', namespace).where('key', '=', key)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (live.numDeletedRows > 0n) return true;
    // An expired leftover is removed too, but it was not "live": report false.
    await this.db.deleteFrom('kv').where('namespace', '=', namespace).where('key', '=', key).execute();
    return false;
  }
}
