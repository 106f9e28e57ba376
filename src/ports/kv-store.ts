// Key-value storage used by storage.* steps and the /v1/storage API.
// Expired entries are invisible (and may be removed lazily).
import type { JsonValue } from '../domain/json.js';

export interface KvEntry {
  namespace: string;
  key: string;
  value: JsonValue;
  expiresAt: number | null;
}

export interface KvStore {
  get(namespace: string, key: string, now: number): Promise<KvEntry | null>;
  set(entry: KvEntry): Promise<void>;
  /** Returns whether a live entry was removed. */
  delete(namespace: string, key: string, now: number): Promise<boolean>;
}
