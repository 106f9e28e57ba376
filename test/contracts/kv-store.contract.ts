// The behaviour every KvStore adapter must show: upsert, namespaces, TTL
// (expired entries are invisible), delete reporting live entries only, and
// values whose big integers survive digit for digit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src/domain/json.js';
import type { KvStore } from '../../src/ports/kv-store.js';
import type { StoreFactory } from './store-harness.js';

/** The contract's reference instant; an adapter whose TTL runs on its own clock (Redis) gets a clock fixed here. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function kvStoreContract(name: string, factory: StoreFactory<KvStore>): void {
  describe(`${name} (KvStore contract)`, () => {
    let store: KvStore;
    let cleanup: (() => Promise<void>) | undefined; // unset when the factory failed
    beforeEach(async () => {
      cleanup = undefined;
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => { await cleanup?.(); });

    it('stores a value and reads it back', async () => {
      await store.set({ namespace: 'default', key: 'k', value: { a: [1, 'two', null, true] }, expiresAt: null });
      expect(await store.get('default', 'k', T0)).toEqual({ namespace: 'default', key: 'k', value: { a: [1, 'two', null, true] }, expiresAt: null });
      expect(await store.get('default', 'missing', T0)).toBeNull();
    });

    it('overwrites an existing key, value and expiry both', async () => {
      await store.set({ namespace: 'n', key: 'k', value: 1, expiresAt: T0 + 10 });
      await store.set({ namespace: 'n', key: 'k', value: 2, expiresAt: null });
      expect(await store.get('n', 'k', T0 + 1_000_000)).toMatchObject({ value: 2, expiresAt: null });
    });

    it('keeps namespaces apart', async () => {
      await store.set({ namespace: 'a', key: 'k', value: 'in a', expiresAt: null });
      await store.set({ namespace: 'b', key: 'k', value: 'in b', expiresAt: null });
      expect((await store.get('a', 'k', T0))?.value).toBe('in a');
      expect((await store.get('b', 'k', T0))?.value).toBe('in b');
    });

    it('hides an entry from its expiry instant on', async () => {
      await store.set({ namespace: 'n', key: 'k', value: 'soon gone', expiresAt: T0 + 1000 });
      expect((await store.get('n', 'k', T0 + 999))?.value).toBe('soon gone');
      expect(await store.get('n', 'k', T0 + 1000)).toBeNull();
      expect(await store.get('n', 'k', T0 + 5000)).toBeNull();
    });

    it('reports whether a live entry was deleted', async () => {
      await store.set({ namespace: 'n', key: 'live', value: 1, expiresAt: null });
      await store.set({ namespace: 'n', key: 'dead', value: 1, expiresAt: T0 });
      expect(await store.delete('n', 'live', T0)).toBe(true);
      expect(await store.delete('n', 'live', T0)).toBe(false);
      expect(await store.delete('n', 'dead', T0 + 1)).toBe(false);
      expect(await store.delete('n', 'never', T0)).toBe(false);
      expect(await store.get('n', 'live', T0)).toBeNull();
    });

    it('lets an expired key be set again', async () => {
      await store.set({ namespace: 'n', key: 'k', value: 'old', expiresAt: T0 });
      await store.set({ namespace: 'n', key: 'k', value: 'new', expiresAt: null });
      expect((await store.get('n', 'k', T0 + 10))?.value).toBe('new');
    });

    it('compares namespaces and keys exactly: letter case and trailing spaces count', async () => {
      const keys: Array<[string, string]> = [['n', 'k'], ['n', 'K'], ['n', 'k '], ['N', 'k'], ['n ', 'k']];
      for (const [namespace, key] of keys) await store.set({ namespace, key, value: `${namespace}/${key}`, expiresAt: null });
      for (const [namespace, key] of keys) expect((await store.get(namespace, key, T0))?.value).toBe(`${namespace}/${key}`);
      expect(await store.delete('n', 'K', T0)).toBe(true);
      expect((await store.get('n', 'k', T0))?.value).toBe('n/k');
    });

    it('stores a value larger than 64 KiB whole', async () => {
      const value = { text: 'é'.repeat(100_000), list: Array.from({ length: 5000 }, (_, i) => i) };
      await store.set({ namespace: 'n', key: 'large', value, expiresAt: null });
      expect((await store.get('n', 'large', T0))?.value).toEqual(value);
    });

    it('returns integers beyond 2^53 digit for digit', async () => {
      const text = '{"id":12345678901234567890123,"neg":-9007199254740993,"small":42,"f":1.5}';
      await store.set({ namespace: 'n', key: 'big', value: parseJson(text), expiresAt: null });
      const entry = await store.get('n', 'big', T0);
      expect(stringifyJson(entry?.value)).toBe(text);
      expect((entry?.value as Record<string, unknown>).id).toBe(12345678901234567890123n);
    });
  });
}
