// The behaviour every TaskStore adapter must show: versioning, name
// uniqueness, lookup by id or name, cursor pagination, and definitions whose
// big integers survive digit for digit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskDefinition } from '../../src/domain/definition.js';
import { TaskerError } from '../../src/domain/errors.js';
import { stringifyJson, type JsonValue } from '../../src/domain/json.js';
import type { TaskStore } from '../../src/ports/task-store.js';
import type { StoreFactory } from './store-harness.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function definition(name: string, value: JsonValue = 1): TaskDefinition {
  return { name, steps: [{ id: 'a', type: 'transform', params: { value }, onError: 'fail' }] };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof TaskerError ? err.code : `not a TaskerError: ${String(err)}`;
  }
  return 'no error';
}

export function taskStoreContract(name: string, factory: StoreFactory<TaskStore>): void {
  describe(`${name} (TaskStore contract)`, () => {
    let store: TaskStore;
    let cleanup: (() => Promise<void>) | undefined; // unset when the factory failed
    beforeEach(async () => {
      cleanup = undefined;
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => { await cleanup?.(); });

    it('creates version 1 and finds the task by id and by name', async () => {
      const created = await store.create({ id: 't1', name: 'sync', definition: definition('sync'), now: T0 });
      expect(created).toMatchObject({ id: 't1', name: 'sync', version: 1, createdAt: T0, updatedAt: T0 });
      expect(await store.find('t1')).toEqual(created);
      expect(await store.find('sync')).toEqual(created);
      expect(await store.find('nope')).toBeNull();
    });

    it('prefers an id match over a name match', async () => {
      await store.create({ id: 'a1', name: 'b1', definition: definition('b1'), now: T0 });
      await store.create({ id: 'b1', name: 'other', definition: definition('other'), now: T0 });
      expect((await store.find('b1'))?.id).toBe('b1');
    });

    it('refuses a second task with the same name with TASK_NAME_TAKEN', async () => {
      await store.create({ id: 't1', name: 'sync', definition: definition('sync'), now: T0 });
      expect(await codeOf(store.create({ id: 't2', name: 'sync', definition: definition('sync'), now: T0 }))).toBe('TASK_NAME_TAKEN');
      expect(await store.find('t2')).toBeNull();
    });

    it('appends a version on update and keeps every earlier version readable', async () => {
      await store.create({ id: 't1', name: 'sync', definition: definition('sync', 1), now: T0 });
      const v2 = await store.update('t1', definition('sync', 2), T0 + 1000);
      expect(v2).toMatchObject({ id: 't1', version: 2, createdAt: T0, updatedAt: T0 + 1000 });
      expect(v2.definition.steps[0]?.params.value).toBe(2);
      await store.update('t1', definition('sync', 3), T0 + 2000);
      expect((await store.getVersion('t1', 1))?.definition.steps[0]?.params.value).toBe(1);
      expect((await store.find('t1'))?.version).toBe(3);
      const versions = await store.listVersions('t1');
      expect(versions.map((v) => [v.version, v.createdAt])).toEqual([[1, T0], [2, T0 + 1000], [3, T0 + 2000]]);
      expect(await store.getVersion('t1', 9)).toBeNull();
    });

    it('renames the task when the new definition has another name', async () => {
      await store.create({ id: 't1', name: 'old', definition: definition('old'), now: T0 });
      await store.update('t1', definition('new'), T0 + 1);
      expect((await store.find('new'))?.id).toBe('t1');
      expect(await store.find('old')).toBeNull();
    });

    it('refuses a rename to a taken name and leaves the task unchanged', async () => {
      await store.create({ id: 't1', name: 'one', definition: definition('one'), now: T0 });
      await store.create({ id: 't2', name: 'two', definition: definition('two'), now: T0 });
      expect(await codeOf(store.update('t1', definition('two'), T0 + 1))).toBe('TASK_NAME_TAKEN');
      expect(await store.find('t1')).toMatchObject({ name: 'one', version: 1 });
      expect(await store.listVersions('t1')).toHaveLength(1);
    });

    it('answers TASK_NOT_FOUND when updating a task that does not exist', async () => {
      expect(await codeOf(store.update('ghost', definition('ghost'), T0))).toBe('TASK_NOT_FOUND');
    });

    it('pages through tasks newest first with an opaque cursor, ties broken by id', async () => {
      for (let i = 0; i < 7; i++) {
        await store.create({ id: `t${i}`, name: `task-${i}`, definition: definition(`task-${i}`), now: T0 + Math.floor(i / 2) });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list(cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual(['t6', 't5', 't4', 't3', 't2', 't1', 't0']);
    });

    it('refuses a cursor it did not issue with REQUEST_INVALID', async () => {
      expect(await codeOf(store.list({ limit: 3, cursor: 'not-a-cursor' }))).toBe('REQUEST_INVALID');
    });

    it('deletes a task with its versions, once', async () => {
      await store.create({ id: 't1', name: 'sync', definition: definition('sync'), now: T0 });
      await store.update('t1', definition('sync', 2), T0 + 1);
      expect(await store.delete('t1')).toBe(true);
      expect(await store.find('t1')).toBeNull();
      expect(await store.listVersions('t1')).toEqual([]);
      expect(await store.delete('t1')).toBe(false);
      // The name is free again.
      await store.create({ id: 't2', name: 'sync', definition: definition('sync'), now: T0 + 2 });
    });

    it('treats names that differ only in letter case as different tasks', async () => {
      await store.create({ id: 't1', name: 'sync', definition: definition('sync'), now: T0 });
      await store.create({ id: 't2', name: 'Sync', definition: definition('Sync'), now: T0 });
      expect((await store.find('Sync'))?.id).toBe('t2');
      expect((await store.find('sync'))?.id).toBe('t1');
      expect(await store.find('SYNC')).toBeNull();
      expect(await store.find('T1')).toBeNull();
    });

    it('stores a definition larger than 64 KiB whole', async () => {
      const text = 'x'.repeat(300_000);
      await store.create({ id: 't1', name: 'large', definition: definition('large', text), now: T0 });
      expect((await store.find('t1'))?.definition.steps[0]?.params.value).toBe(text);
    });

    it('keeps integers beyond 2^53 in a definition digit for digit', async () => {
      const big = 123456789012345678901234567890n;
      await store.create({ id: 't1', name: 'big', definition: definition('big', big), now: T0 });
      const found = await store.find('t1');
      expect(found?.definition.steps[0]?.params.value).toBe(big);
      expect(stringifyJson(found?.definition.steps[0]?.params)).toBe('{"value":123456789012345678901234567890}');
    });
  });
}
