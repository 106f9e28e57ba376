// The behaviour every ScheduleStore adapter must show: a faithful round trip
// of every field, due listing, and advance() as a compare-and-set on
// nextFireAt (null included) so two schedulers never both move a schedule.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Schedule, ScheduleStore } from '../../src/ports/schedule-store.js';
import type { StoreFactory } from './store-harness.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function schedule(id: string, over: Partial<Schedule> = {}): Schedule {
  return {
    id, taskId: 'task-1', name: `s-${id}`, cron: '*/5 * * * *', timezone: 'Europe/Paris', enabled: true,
    input: { since: 1 }, overlap: 'skip', catchup: 'latest', catchupWindowMs: 3_600_000,
    startAt: null, endAt: null, jitterMs: 0, nextFireAt: T0 + 60_000, lastFireAt: null,
    createdAt: T0, updatedAt: T0, ...over,
  };
}

export function scheduleStoreContract(name: string, factory: StoreFactory<ScheduleStore>): void {
  describe(`${name} (ScheduleStore contract)`, () => {
    let store: ScheduleStore;
    let cleanup: (() => Promise<void>) | undefined; // unset when the factory failed
    beforeEach(async () => {
      cleanup = undefined;
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => { await cleanup?.(); });

    it('stores every field and reads it back unchanged', async () => {
      const s = schedule('s1', {
        enabled: false, overlap: 'cancel_previous', catchup: 'all', startAt: T0 - 5, endAt: T0 + 5, jitterMs: 250,
        lastFireAt: T0 - 60_000, input: { big: 98765432109876543210n, list: [1, null] },
      });
      expect(await store.create(s)).toEqual(s);
      expect(await store.get('s1')).toEqual(s);
      expect(await store.get('nope')).toBeNull();
    });

    it('replaces the mutable fields on update and keeps createdAt', async () => {
      await store.create(schedule('s1'));
      const changed = schedule('s1', { cron: '0 9 * * MON', enabled: false, nextFireAt: null, updatedAt: T0 + 9, createdAt: T0 + 999 });
      expect(await store.update(changed)).toEqual({ ...changed, createdAt: T0 });
      expect(await store.update(schedule('ghost'))).toBeNull();
    });

    it('deletes a schedule once', async () => {
      await store.create(schedule('s1'));
      expect(await store.delete('s1')).toBe(true);
      expect(await store.delete('s1')).toBe(false);
      expect(await store.get('s1')).toBeNull();
    });

    it('lists newest first, filters by task and pages with a cursor', async () => {
      for (let i = 0; i < 5; i++) await store.create(schedule(`s${i}`, { createdAt: T0 + i, taskId: i % 2 === 0 ? 'even' : 'odd' }));
      const first = await store.list({ limit: 2 });
      expect(first.items.map((s) => s.id)).toEqual(['s4', 's3']);
      const second = await store.list({ limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.items.map((s) => s.id)).toEqual(['s2', 's1']);
      const last = await store.list({ limit: 2, cursor: second.nextCursor ?? '' });
      expect(last).toEqual({ items: [expect.objectContaining({ id: 's0' })], nextCursor: null });
      expect((await store.list({ limit: 10, taskId: 'even' })).items.map((s) => s.id)).toEqual(['s4', 's2', 's0']);
    });

    it('lists enabled schedules due by now, earliest first, up to the limit', async () => {
      await store.create(schedule('late', { nextFireAt: T0 + 10 }));
      await store.create(schedule('early', { nextFireAt: T0 - 10 }));
      await store.create(schedule('exact', { nextFireAt: T0 }));
      await store.create(schedule('paused', { nextFireAt: T0 - 100, enabled: false }));
      await store.create(schedule('never', { nextFireAt: null }));
      expect((await store.listDue(T0, 10)).map((s) => s.id)).toEqual(['early', 'exact']);
      expect((await store.listDue(T0, 1)).map((s) => s.id)).toEqual(['early']);
    });

    it('tells the earliest next fire among enabled schedules, or null', async () => {
      expect(await store.nextFireAt()).toBeNull();
      await store.create(schedule('a', { nextFireAt: T0 + 50 }));
      await store.create(schedule('b', { nextFireAt: T0 + 5, enabled: false }));
      await store.create(schedule('c', { nextFireAt: null }));
      expect(await store.nextFireAt()).toBe(T0 + 50);
    });

    it('advances only from the expected nextFireAt', async () => {
      await store.create(schedule('s1', { nextFireAt: T0 }));
      expect(await store.advance('s1', T0 - 1, { nextFireAt: T0 + 300_000, lastFireAt: T0 })).toBe(false);
      expect(await store.advance('s1', null, { nextFireAt: T0 + 300_000, lastFireAt: T0 })).toBe(false);
      expect(await store.advance('s1', T0, { nextFireAt: T0 + 300_000, lastFireAt: T0 })).toBe(true);
      expect(await store.get('s1')).toMatchObject({ nextFireAt: T0 + 300_000, lastFireAt: T0 });
      expect(await store.advance('s1', T0, { nextFireAt: T0 + 600_000, lastFireAt: T0 })).toBe(false);
      expect(await store.advance('ghost', T0, { nextFireAt: null, lastFireAt: null })).toBe(false);
    });

    it('advances several in one call, each only from its expected nextFireAt, answering in order', async () => {
      await store.create(schedule('b', { nextFireAt: T0 }));
      await store.create(schedule('a', { nextFireAt: T0 }));
      await store.create(schedule('c', { nextFireAt: null }));
      const moved = await store.advanceMany([
        { id: 'b', expectedNextFireAt: T0, next: { nextFireAt: T0 + 1000, lastFireAt: T0 } },
        { id: 'a', expectedNextFireAt: T0 - 1, next: { nextFireAt: T0 + 1000, lastFireAt: T0 } },
        { id: 'c', expectedNextFireAt: null, next: { nextFireAt: T0 + 5, lastFireAt: null } },
        { id: 'ghost', expectedNextFireAt: T0, next: { nextFireAt: null, lastFireAt: null } },
      ]);
      expect(moved).toEqual([true, false, true, false]);
      expect(await store.get('b')).toMatchObject({ nextFireAt: T0 + 1000, lastFireAt: T0 });
      expect(await store.get('a')).toMatchObject({ nextFireAt: T0 });
      expect(await store.get('c')).toMatchObject({ nextFireAt: T0 + 5 });
      expect(await store.advanceMany([])).toEqual([]);
    });

    it('treats a null nextFireAt as a value to compare, not a wildcard', async () => {
      await store.create(schedule('s1', { nextFireAt: null }));
      expect(await store.advance('s1', T0, { nextFireAt: T0, lastFireAt: null })).toBe(false);
      expect(await store.advance('s1', null, { nextFireAt: T0, lastFireAt: null })).toBe(true);
      expect(await store.advance('s1', T0, { nextFireAt: null, lastFireAt: T0 })).toBe(true);
      expect(await store.get('s1')).toMatchObject({ nextFireAt: null, lastFireAt: T0 });
    });

    it('lets exactly one of many concurrent advances from the same instant win', async () => {
      await store.create(schedule('s1', { nextFireAt: T0 }));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.advance('s1', T0, { nextFireAt: T0 + 1000 + i, lastFireAt: T0 })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
