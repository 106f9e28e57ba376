// Runs every store contract against the SQL adapter on SQLite: each test gets
// a fresh database file in its own temp directory, removed afterwards. Also
// checks what only the SQL adapter promises (task delete takes its schedules).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../../src/adapters/sql/index.js';
import { capabilitiesFor } from '../../src/adapters/sql/dialect-capabilities.js';
import { migrations } from '../../src/adapters/sql/migrations/migrate.js';
import { executionStoreContract } from './execution-store.contract.js';
import { kvStoreContract } from './kv-store.contract.js';
import { occurrenceStoreContract } from './occurrence-store.contract.js';
import { scheduleStoreContract } from './schedule-store.contract.js';
import type { StoreFactory } from './store-harness.js';
import { definition, taskStoreContract } from './task-store.contract.js';

async function freshSqlite(): Promise<{ stores: SqlStores; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tasker-sqlite-'));
  const stores = await createSqlStores(`sqlite:${join(dir, 'tasker.db')}`);
  return {
    stores,
    cleanup: async () => {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sqlite<K extends 'tasks' | 'schedules' | 'executions' | 'kv'>(key: K): StoreFactory<SqlStores[K]> {
  return async () => {
    const { stores, cleanup } = await freshSqlite();
    return { store: stores[key], cleanup };
  };
}

taskStoreContract('SqlTaskStore on SQLite', sqlite('tasks'));
scheduleStoreContract('SqlScheduleStore on SQLite', sqlite('schedules'));
executionStoreContract('SqlExecutionStore on SQLite', sqlite('executions'));
kvStoreContract('SqlKvStore on SQLite', sqlite('kv'));
occurrenceStoreContract('SqlOccurrenceStore on SQLite', async () => {
  const { stores, cleanup } = await freshSqlite();
  // Ledger rows reference their schedule (ON DELETE CASCADE).
  const addSchedule = async (id: string) => {
    await stores.schedules.create({
      id, taskId: 't1', name: id, cron: '* * * * *', timezone: 'UTC', enabled: true, input: null,
      overlap: 'skip', catchup: 'latest', catchupWindowMs: 0, startAt: null, endAt: null, jitterMs: 0,
      nextFireAt: null, lastFireAt: null, createdAt: 1, updatedAt: 1,
    });
  };
  return { store: stores.occurrences, cleanup, addSchedule };
});

describe('the schedule ledger on SQLite', () => {
  it('goes with its schedule, and with the task that owns the schedule', async () => {
    const { stores, cleanup } = await freshSqlite();
    try {
      await stores.tasks.create({ id: 't1', name: 'sync', definition: definition('sync'), now: 1 });
      for (const id of ['s1', 's2']) {
        await stores.schedules.create({
          id, taskId: 't1', name: id, cron: '* * * * *', timezone: 'UTC', enabled: true, input: null,
          overlap: 'skip', catchup: 'latest', catchupWindowMs: 0, startAt: null, endAt: null, jitterMs: 0,
          nextFireAt: null, lastFireAt: null, createdAt: 1, updatedAt: 1,
        });
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

describe('the SQL stores on SQLite', () => {
  it('delete a task with its schedules but keep its executions for history', async () => {
    const { stores, cleanup } = await freshSqlite();
    try {
      await stores.tasks.create({ id: 't1', name: 'sync', definition: definition('sync'), now: 1 });
      await stores.schedules.create({
        id: 's1', taskId: 't1', name: 'every', cron: '* * * * *', timezone: 'UTC', enabled: true, input: null,
        overlap: 'skip', catchup: 'latest', catchupWindowMs: 0, startAt: null, endAt: null, jitterMs: 0,
        nextFireAt: 60_000, lastFireAt: null, createdAt: 1, updatedAt: 1,
      });
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

  it('answer a ping while open and migrate an existing file without redoing anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tasker-sqlite-'));
    try {
      const url = `sqlite:${join(dir, 'nested', 'deeper', 'tasker.db')}`;
      const first = await createSqlStores(url);
      expect(first.migrationsApplied).toEqual(Object.keys(migrations(capabilitiesFor('sqlite'))));
      expect(first.migrationsApplied[0]).toBe('0001-initial');
      expect(await first.ping()).toBe(true);
      await first.kv.set({ namespace: 'n', key: 'k', value: 1, expiresAt: null });
      await first.close();
      expect(await first.ping()).toBe(false);
      const second = await createSqlStores(url);
      expect(second.migrationsApplied).toEqual([]);
      expect((await second.kv.get('n', 'k', 0))?.value).toBe(1);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
