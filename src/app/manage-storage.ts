// The key-value storage as the API sees it (the storage.* steps use the same
// KvStore port directly). Missing or expired keys are a 404.
import { TaskerError } from '../domain/errors.js';
import type { JsonValue } from '../domain/json.js';
import type { KvEntry } from '../ports/kv-store.js';
import type { AppDeps } from './deps.js';

const NAME_RE = /^[A-Za-z0-9_.:-]{1,200}$/;

export class ManageStorage {
  constructor(private readonly deps: AppDeps) {}

  async get(namespace: string, key: string): Promise<KvEntry> {
    this.check(namespace, key);
    const entry = await this.deps.kv.get(namespace, key, this.deps.clock.now());
    if (!entry) throw new TaskerError('STORAGE_KEY_NOT_FOUND', `no key '${key}' in namespace '${namespace}'`);
    return entry;
  }

  async put(namespace: string, key: string, value: JsonValue, ttlMs?: number): Promise<KvEntry> {
    this.check(namespace, key);
    const entry: KvEntry = { namespace, key, value, expiresAt: ttlMs === undefined ? null : this.deps.clock.now() + ttlMs };
    await this.deps.kv.set(entry);
    return entry;
  }

  async delete(namespace: string, key: string): Promise<void> {
    this.check(namespace, key);
    if (!(await this.deps.kv.delete(namespace, key, this.deps.clock.now()))) {
      throw new TaskerError('STORAGE_KEY_NOT_FOUND', `no key '${key}' in namespace '${namespace}'`);
    }
  }

  private check(namespace: string, key: string): void {
    const problems = [];
    if (!NAME_RE.test(namespace)) problems.push({ path: '/namespace', message: 'expected 1-200 characters of letters, digits, _ . : -' });
    if (key.length === 0 || key.length > 500) problems.push({ path: '/key', message: 'expected 1-500 characters' });
    if (problems.length > 0) throw new TaskerError('REQUEST_INVALID', 'invalid storage address', problems);
  }
}
