// Runs every store contract, and what only the SQL adapter promises, against
// one SQL backend. Each test gets its own empty database from `freshDatabase`
// (a SQLite file, or a database created on a real server) and removes it.
import { describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../../src/adapters/sql/index.js';
import { capabilitiesFor } from '../../src/adapters/sql/dialect-capabilities.js';
import { migrations } from '../../src/adapters/sql/migrations/migrate.js';
import type { Schedule } from '../../src/ports/schedule-store.js';
import type { TestDatabase } from '../support/test-database.js';
import { executionStoreContract } from './execution-store.contract.js';
import { kvStoreContract } from './kv-store.contract.js';
import { occurrenceStoreContract } from './occurrence-store.contract.js';
import { scheduleStoreContract } from './schedule-store.contract.js';
import type { StoreFactory } from './store-harness.js';
import { definition, taskStoreContract } from './task-store.contract.js';

function schedule(id: string, taskId = 't1', nextFireAt: number | null = null): Schedule {
  return {
    id, taskId, name: id, cron: '* * * * *', timezone: 'UTC', enabled: true, input: null,
    overlap: 'skip', catchup: 'latest', catchupWindowMs: 0, startAt: null, endAt: null, jitterMs: 0,
    nextFireAt, lastFireAt: null, createdAt: 1, updatedAt: 1,
  };
}

export function sqlStoreContracts(backend: string, freshDatabase: () => Promise<TestDatabase>): void {
  async function fresh(): Promise<{ stores: SqlStores; cleanup(): Promise<void> }> {
    const database = await freshDatabase();
    let stores: SqlStores;
    try {
      stores = await createSqlStores(database.url);
    } catch (err) {
      await database.drop();
      throw err;
    }
    return {
      stores,
      cleanup: async () => {
        await stores.close();
        await database.drop();
      },
    };
  }

  function factory<K extends 'tasks' | 'schedules' | 'executions' | 'kv'>(key: K): StoreFactory<SqlStores[K]> {
    return async () => {
      const { stores, cleanup } = await fresh();
      return { store: stores[key], cleanup };
    };
  }

  taskStoreContract(`SqlTaskStore on ${backend}`, factory('tasks'));
  scheduleStoreContract(`SqlScheduleStore on ${backend}`, factory('schedules'));
  executionStoreContract(`SqlExecutionStore on ${backend}`, factory('executions'));
  kvStoreContract(`SqlKvStore on ${backend}`, factory('kv'));
  occurrenceStoreContract(`SqlOccurrenceStore on ${backend}`, async () => {
    const { stores, cleanup } = await fresh();
    // Ledger rows reference their schedule (ON DELETE CASCADE).
    return { store: stores.occurrences, cleanup, addSchedule: async (id) => { await stores.schedules.create(schedule(id)); } };
  });

  describe(`the schedule ledger on ${backend}`, () => {
    it('goes with its schedule, and with the task that owns the schedule', async () => {
      const { stores, cleanup } = await fresh();
      try {
        await stores.tasks.create({ id: 't1', name: 'sync', definition: definition('sync'), now: 1 });
        for (const id of ['s1', 's2']) {
          await stores.schedules.create(schedule(id));
          await stores.occurrences.record([{ scheduleId: id, instant: 60_000, kind: 'missed', reason: 'down', executionId: null, recordedAt: 2 }]);
        }
        await stores.schedules.delete('s1');
        expect(await stores.occurrences.findAt('s1', [60_000])).toEqual([]);
        expect(await stores.occurrences.findAt('s2', [60_000])).toHaveLength(1);
        await stores.tasks.delete('t1');
        expect(await stores.occurrences.findAt('s2', [60_000])).toEqual([]);
      } finally {
        await cleanup();
      }
    });
  });

  describe(`the SQL stores on ${backend}`, () => {
    it('delete a task with its schedules but keep its executions for history', async () => {
      const { stores, cleanup } = await fresh();
      try {
        await stores.tasks.create({ id: 't1', name: 'sync', definition: definition('sync'), now: 1 });
        await stores.schedules.create(schedule('s1', 't1', 60_000));
        await stores.executions.create({
          id: 'e1', taskId: 't1', taskVersion: 1, scheduleId: 's1', scheduledFor: 60_000, trigger: 'schedule', input: null,
          idempotencyKey: null, requestHash: null, retryOf: null, now: 2,
        });
        expect(await stores.tasks.delete('t1')).toBe(true);
        expect(await stores.schedules.get('s1')).toBeNull();
        expect((await stores.executions.get('e1'))?.taskId).toBe('t1');
      } finally {
        await cleanup();
      }
    });

    it('answer a ping while open and migrate an existing database without redoing anything', async () => {
      const database = await freshDatabase();
      try {
        const first = await createSqlStores(database.url);
        expect(first.migrationsApplied).toEqual(Object.keys(migrations(capabilitiesFor(first.dialect))));
        expect(first.migrationsApplied[0]).toBe('0001-initial');
        expect(await first.ping()).toBe(true);
        await first.kv.set({ namespace: 'n', key: 'k', value: 1, expiresAt: null });
        await first.close();
        expect(await first.ping()).toBe(false);
        const second = await createSqlStores(database.url);
        expect(second.migrationsApplied).toEqual([]);
        expect((await second.kv.get('n', 'k', 0))?.value).toBe(1);
        await second.close();
      } finally {
        await database.drop();
      }
    });

    it('migrate once when several processes start on the same empty database at the same time', async () => {
      const database = await freshDatabase();
      try {
        const all = await Promise.all([1, 2, 3].map(() => createSqlStores(database.url)));
        expect(all.flatMap((s) => s.migrationsApplied).sort()).toEqual(Object.keys(migrations(capabilitiesFor(all[0]!.dialect))).sort());
        await all[0]!.kv.set({ namespace: 'n', key: 'k', value: 1, expiresAt: null });
        expect((await all[2]!.kv.get('n', 'k', 0))?.value).toBe(1);
        for (const s of all) await s.close();
      } finally {
        await database.drop();
      }
    });

    it('read every instant back as a number, up to the largest exact integer', async () => {
      const { stores, cleanup } = await fresh();
      try {
        const far = Number.MAX_SAFE_INTEGER;
        await stores.kv.set({ namespace: 'n', key: 'k', value: 1, expiresAt: far });
        expect((await stores.kv.get('n', 'k', far - 1))?.expiresAt).toBe(far);
        await stores.schedules.create(schedule('s1', 't1', far));
        expect(await stores.schedules.nextFireAt()).toBe(far);
        expect((await stores.schedules.get('s1'))?.nextFireAt).toBe(far);
      } finally {
        await cleanup();
      }
    });
  });
}
