// The behaviour every OccurrenceStore adapter must show: one row per (schedule, instant)
// where the first recorded decision wins, replace() that overwrites it (a backfill), paging
// newest first with a kind filter, lookups by instant, and pruning by recording time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Occurrence, OccurrenceStore } from '../../src/ports/occurrence-store.js';
import type { StoreHarness } from './store-harness.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;

/** A store with referential integrity needs the schedules to exist before their rows. */
export type OccurrenceStoreFactory = () => Promise<StoreHarness<OccurrenceStore> & { addSchedule(id: string): Promise<void> }>;

/** Every row of a schedule, earliest first. */
async function all(store: OccurrenceStore, scheduleId = 's1'): Promise<Occurrence[]> {
  return (await store.list({ scheduleId, limit: 1000 })).items.reverse();
}

function occurrence(instant: number, over: Partial<Occurrence> = {}): Occurrence {
  return { scheduleId: 's1', instant, kind: 'fired', reason: 'on time', executionId: `e-${instant}`, recordedAt: instant + 5, ...over };
}

export function occurrenceStoreContract(name: string, factory: OccurrenceStoreFactory): void {
  describe(`${name} (OccurrenceStore contract)`, () => {
    let store: OccurrenceStore;
    let cleanup: (() => Promise<void>) | undefined; // unset when the factory failed
    beforeEach(async () => {
      cleanup = undefined;
      const harness = await factory();
      ({ store, cleanup } = harness);
      await harness.addSchedule('s1');
      await harness.addSchedule('s2');
    });
    afterEach(async () => { await cleanup?.(); });

    it('stores every field and reads it back unchanged', async () => {
      const fired = occurrence(T0);
      const missed = occurrence(T0 + MIN, { kind: 'missed', reason: 'due while the scheduler was down', executionId: null });
      expect(await store.record([fired, missed])).toBe(2);
      expect(await all(store)).toEqual([fired, missed]);
    });

    it('keeps the first decision about an instant when the same instant is recorded again', async () => {
      expect(await store.record([occurrence(T0, { kind: 'missed', executionId: null })])).toBe(1);
      expect(await store.record([occurrence(T0), occurrence(T0 + MIN)])).toBe(1);
      expect((await all(store)).map((r) => r.kind)).toEqual(['missed', 'fired']);
    });

    it('records a batch larger than one statement holds', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => occurrence(T0 + i * MIN, { kind: 'missed', executionId: null }));
      expect(await store.record(many)).toBe(1001);
      expect(await store.findAt('s1', many.map((o) => o.instant))).toHaveLength(1001);
      expect(await store.record(many)).toBe(0);
    });

    it('replaces a row whatever it was, and inserts one that did not exist', async () => {
      await store.record([occurrence(T0, { kind: 'missed', executionId: null })]);
      const backfilled = occurrence(T0, { kind: 'backfilled', reason: 'backfilled', executionId: 'e9', recordedAt: T0 + 99 });
      await store.replace(backfilled);
      await store.replace(occurrence(T0 + MIN, { kind: 'backfilled', executionId: 'e10' }));
      expect(await all(store)).toEqual([backfilled, occurrence(T0 + MIN, { kind: 'backfilled', executionId: 'e10' })]);
    });

    it('lists one schedule newest first, filters by kind and pages with a cursor', async () => {
      await store.record([0, 1, 2, 3, 4].map((i) => occurrence(T0 + i * MIN, i % 2 === 0 ? {} : { kind: 'missed', executionId: null })));
      await store.record([occurrence(T0 + 9 * MIN, { scheduleId: 's2' })]);
      const first = await store.list({ scheduleId: 's1', limit: 2 });
      expect(first.items.map((o) => o.instant)).toEqual([T0 + 4 * MIN, T0 + 3 * MIN]);
      const second = await store.list({ scheduleId: 's1', limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.items.map((o) => o.instant)).toEqual([T0 + 2 * MIN, T0 + MIN]);
      const last = await store.list({ scheduleId: 's1', limit: 2, cursor: second.nextCursor ?? '' });
      expect(last).toEqual({ items: [occurrence(T0)], nextCursor: null });
      const missed = await store.list({ scheduleId: 's1', limit: 10, kinds: ['missed'] });
      expect(missed.items.map((o) => o.instant)).toEqual([T0 + 3 * MIN, T0 + MIN]);
      expect((await store.list({ scheduleId: 's1', limit: 10, kinds: ['missed', 'fired'] })).items).toHaveLength(5);
      expect((await store.list({ scheduleId: 's1', limit: 10, kinds: [] })).items).toHaveLength(5);
    });

    it('finds the rows at given instants, earliest first, of one schedule only', async () => {
      await store.record([0, 1, 2, 3].map((i) => occurrence(T0 + i * MIN)));
      expect((await store.findAt('s1', [T0 + 2 * MIN, T0 + 30_000, T0 + MIN])).map((o) => o.instant)).toEqual([T0 + MIN, T0 + 2 * MIN]);
      expect(await store.findAt('s1', [])).toEqual([]);
      expect(await store.findAt('s2', [T0])).toEqual([]);
    });

    it('prunes the rows recorded before an instant', async () => {
      await store.record([occurrence(T0, { recordedAt: T0 }), occurrence(T0 + MIN, { recordedAt: T0 + MIN })]);
      expect(await store.pruneRecordedBefore(T0 + MIN)).toBe(1);
      expect((await all(store)).map((o) => o.instant)).toEqual([T0 + MIN]);
    });
  });
}
