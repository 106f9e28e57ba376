// The behaviour every ExecutionStore adapter must show: the two uniqueness
// rules under concurrency, the lease (exclusive claim, expiry, fencing of
// every write), cancel, the journal, listing and recovery queries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepAttempt } from '../../src/domain/execution.js';
import { stringifyJson } from '../../src/domain/json.js';
import type { ExecutionStore, NewExecution } from '../../src/ports/execution-store.js';
import type { StoreFactory } from './store-harness.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const LEASE = 30_000;

function newExecution(id: string, over: Partial<NewExecution> = {}): NewExecution {
  return {
    id, taskId: 'task-1', taskVersion: 1, scheduleId: null, scheduledFor: null, trigger: 'api', input: { n: 1 },
    idempotencyKey: null, requestHash: null, retryOf: null, now: T0, ...over,
  };
}

function attempt(path: string, n: number, over: Partial<StepAttempt> = {}): StepAttempt {
  return { path, stepId: path, attempt: n, status: 'succeeded', output: { ok: n }, error: null, startedAt: T0, finishedAt: T0 + 5, ...over };
}

export function executionStoreContract(name: string, factory: StoreFactory<ExecutionStore>): void {
  describe(`${name} (ExecutionStore contract)`, () => {
    let store: ExecutionStore;
    let cleanup: (() => Promise<void>) | undefined; // unset when the factory failed
    beforeEach(async () => {
      cleanup = undefined;
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => { await cleanup?.(); });

    describe('creating executions', () => {
      it('stores a queued execution and reads it back, big integers intact', async () => {
        const input = { id: 12345678901234567890123n, list: [1, 'a'] };
        const result = await store.create(newExecution('e1', { input, idempotencyKey: 'k', retryOf: 'e0' }));
        expect(result.created).toBe(true);
        const got = await store.get('e1');
        expect(got).toEqual(result.execution);
        expect(got).toMatchObject({ status: 'queued', trigger: 'api', retryOf: 'e0', idempotencyKey: 'k', createdAt: T0, output: null, error: null });
        expect(stringifyJson(got?.input)).toBe('{"id":12345678901234567890123,"list":[1,"a"]}');
        expect(await store.get('nope')).toBeNull();
      });

      it('creates exactly one execution for 50 concurrent starts with the same idempotency key', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
          store.create(newExecution(`e${i}`, { idempotencyKey: 'same-key', requestHash: `h${i}` }))));
        const created = results.filter((r) => r.created);
        expect(created).toHaveLength(1);
        const winner = created[0]!.execution.id;
        expect(new Set(results.map((r) => r.execution.id))).toEqual(new Set([winner]));
        for (const r of results) if (!r.created) expect(r.requestHash).toBe(`h${winner.slice(1)}`);
        expect((await store.list({ limit: 100 })).items).toHaveLength(1);
      });

      it('scopes idempotency keys to their task and never lets null keys collide', async () => {
        expect((await store.create(newExecution('a', { idempotencyKey: 'k' }))).created).toBe(true);
        expect((await store.create(newExecution('b', { idempotencyKey: 'k', taskId: 'task-2' }))).created).toBe(true);
        expect((await store.create(newExecution('c'))).created).toBe(true);
        expect((await store.create(newExecution('d'))).created).toBe(true);
      });

      it('starts at most one execution per schedule and fire instant', async () => {
        const fire = { scheduleId: 'sch', scheduledFor: T0, trigger: 'schedule' as const };
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(newExecution(`e${i}`, fire))));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.execution.id)).size).toBe(1);
        expect((await store.create(newExecution('next', { ...fire, scheduledFor: T0 + 60_000 }))).created).toBe(true);
      });

      it('compares idempotency keys exactly: letter case and trailing spaces make different keys', async () => {
        for (const [i, key] of ['key', 'KEY', 'key '].entries()) {
          expect((await store.create(newExecution(`e${i}`, { idempotencyKey: key }))).created).toBe(true);
        }
        const again = await store.create(newExecution('e9', { idempotencyKey: 'KEY' }));
        expect(again).toMatchObject({ created: false, execution: { id: 'e1' } });
      });

      it('keeps an input and an output larger than 64 KiB whole', async () => {
        const input = { text: 'ü'.repeat(200_000) };
        const output = { rows: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `row-${i}` })) };
        await store.create(newExecution('e1', { input }));
        await store.claim('e1', 'A', T0, LEASE);
        expect(await store.appendAttempt('e1', 'A', attempt('s1', 1, { output }))).toBe(true);
        expect(await store.release('e1', 'A', { status: 'succeeded', finishedAt: T0 + 1, output })).toBe(true);
        expect(await store.get('e1')).toMatchObject({ input, output });
        expect((await store.attempts('e1'))[0]?.output).toEqual(output);
      });

      it('rethrows an id collision that matches no uniqueness rule', async () => {
        await store.create(newExecution('e1'));
        await expect(store.create(newExecution('e1'))).rejects.toThrow();
      });
    });

    describe('the lease', () => {
      it('lets only one of two concurrent owners claim, and does not change the status', async () => {
        await store.create(newExecution('e1'));
        const [a, b] = await Promise.all([store.claim('e1', 'A', T0, LEASE), store.claim('e1', 'B', T0, LEASE)]);
        expect([a, b].filter((x) => x !== null)).toHaveLength(1);
        expect((a ?? b)?.status).toBe('queued');
      });

      it('claims and starts a fresh execution in one write, for one of two concurrent owners', async () => {
        await store.create(newExecution('e1'));
        const [a, b] = await Promise.all([store.claimToStart('e1', 'A', T0 + 5, LEASE), store.claimToStart('e1', 'B', T0 + 5, LEASE)]);
        const won = [a, b].filter((x) => x !== null);
        expect(won).toHaveLength(1);
        expect(won[0]).toMatchObject({ id: 'e1', status: 'running', startedAt: T0 + 5, wakeAt: null });
        expect(await store.get('e1')).toMatchObject({ status: 'running', startedAt: T0 + 5 });
        // The lease is the winner's: the other owner is refused until it expires.
        const loser = a === null ? 'A' : 'B';
        expect(await store.claim('e1', loser, T0 + 6, LEASE)).toBeNull();
        expect(await store.appendAttempt('e1', loser, attempt('s1', 1))).toBe(false);
      });

      it('starts nothing at claim that a start-time policy may hold back, or that has started already', async () => {
        await store.create(newExecution('fire', { trigger: 'schedule', scheduleId: 'sch', scheduledFor: T0 }));
        await store.create(newExecution('child', { trigger: 'subtask', idempotencyKey: 'subtask:p:s' }));
        await store.create(newExecution('held'));
        await store.claim('held', 'B', T0, LEASE);
        await store.create(newExecution('started'));
        await store.claim('started', 'B', T0, LEASE);
        await store.transition('started', 'B', { status: 'running', startedAt: T0 });
        await store.release('started', 'B', {});
        for (const id of ['fire', 'child', 'held', 'started']) expect(await store.claimToStart(id, 'A', T0 + 1, LEASE)).toBeNull();
        expect((await store.get('fire'))).toMatchObject({ status: 'queued', startedAt: null });
        expect((await store.get('child'))).toMatchObject({ status: 'queued', startedAt: null });
        expect((await store.get('held'))).toMatchObject({ status: 'queued', startedAt: null });
        expect((await store.get('started'))).toMatchObject({ status: 'running', startedAt: T0 });
        // Nothing changed hands either: B still holds 'held'; 'started' is free for a plain claim.
        expect(await store.claim('held', 'A', T0 + 1, LEASE)).toBeNull();
        expect(await store.claim('started', 'A', T0 + 1, LEASE)).not.toBeNull();
      });

      it('hands the lease to another owner after expiry and fences off the old owner', async () => {
        await store.create(newExecution('e1'));
        expect(await store.claim('e1', 'A', T0, LEASE)).not.toBeNull();
        expect(await store.claim('e1', 'B', T0 + LEASE - 1, LEASE)).toBeNull();
        expect(await store.claim('e1', 'B', T0 + LEASE, LEASE)).not.toBeNull();
        expect(await store.appendAttempt('e1', 'A', attempt('s1', 1))).toBe(false);
        expect(await store.transition('e1', 'A', { status: 'running' })).toBe(false);
        expect(await store.renewLease('e1', 'A', T0 + LEASE, LEASE)).toBe(false);
        expect(await store.release('e1', 'A', { status: 'failed' })).toBe(false);
        expect(await store.attempts('e1')).toEqual([]);
        expect(await store.appendAttempt('e1', 'B', attempt('s1', 1))).toBe(true);
        expect((await store.get('e1'))?.status).toBe('queued');
      });

      it('lets the holder claim again and renew to extend its lease', async () => {
        await store.create(newExecution('e1'));
        await store.claim('e1', 'A', T0, LEASE);
        expect(await store.claim('e1', 'A', T0 + 10, LEASE)).not.toBeNull();
        expect(await store.renewLease('e1', 'A', T0 + LEASE, LEASE)).toBe(true);
        expect(await store.claim('e1', 'B', T0 + LEASE + 1, LEASE)).toBeNull();
        expect(await store.claim('e1', 'B', T0 + 2 * LEASE, LEASE)).not.toBeNull();
      });

      it('applies a transition under the lease and frees the lease on release', async () => {
        await store.create(newExecution('e1'));
        await store.claim('e1', 'A', T0, LEASE);
        expect(await store.transition('e1', 'A', { status: 'running', startedAt: T0 + 1 })).toBe(true);
        expect(await store.transition('e1', 'A', {})).toBe(true);
        const error = { kind: 'fail', message: 'nope', stepId: 's1' };
        expect(await store.release('e1', 'A', { status: 'failed', finishedAt: T0 + 9, output: { big: 2n ** 70n }, error })).toBe(true);
        expect(await store.get('e1')).toMatchObject({ status: 'failed', startedAt: T0 + 1, finishedAt: T0 + 9, output: { big: 2n ** 70n }, error });
        expect(await store.transition('e1', 'A', { status: 'running' })).toBe(false);
        expect(await store.claim('e1', 'B', T0 + 10, LEASE)).toBeNull(); // finished: nothing to claim
      });

      it('frees the lease at once when released into a waiting state', async () => {
        await store.create(newExecution('e1'));
        await store.claim('e1', 'A', T0, LEASE);
        expect(await store.release('e1', 'A', { status: 'waiting', wakeAt: T0 + 5000 })).toBe(true);
        expect(await store.get('e1')).toMatchObject({ status: 'waiting', wakeAt: T0 + 5000 });
        expect(await store.claim('e1', 'B', T0 + 1, LEASE)).not.toBeNull();
      });
    });

    describe('the journal', () => {
      it('returns committed attempts in commit order with their errors and wake instants', async () => {
        await store.create(newExecution('e1'));
        await store.claim('e1', 'A', T0, LEASE);
        const failed = attempt('fetch', 1, { status: 'failed', output: null, error: { kind: 'http_5xx', message: '503', retryAfterMs: 1000 } });
        const waiting = attempt('pause', 1, { status: 'waiting', output: null, wakeAt: T0 + 60_000 });
        for (const a of [failed, attempt('fetch', 2), waiting]) expect(await store.appendAttempt('e1', 'A', a)).toBe(true);
        expect(await store.attempts('e1')).toEqual([failed, attempt('fetch', 2), waiting]);
        expect(await store.attempts('other')).toEqual([]);
      });

      it('refuses to commit the same path and attempt twice', async () => {
        await store.create(newExecution('e1'));
        await store.claim('e1', 'A', T0, LEASE);
        await store.appendAttempt('e1', 'A', attempt('s1', 1));
        await expect(store.appendAttempt('e1', 'A', attempt('s1', 1))).rejects.toThrow(/already in the journal/);
      });
    });

    describe('cancel', () => {
      it('cancels an unfinished execution whoever holds it, and fences off the holder', async () => {
        await store.create(newExecution('e1'));
        await store.claim('e1', 'A', T0, LEASE);
        expect(await store.cancel('e1', T0 + 5, 'canceled by user')).toBe(true);
        expect(await store.get('e1')).toMatchObject({ status: 'canceled', finishedAt: T0 + 5, error: { kind: 'canceled', message: 'canceled by user' } });
        expect(await store.transition('e1', 'A', { status: 'succeeded' })).toBe(false);
        expect(await store.appendAttempt('e1', 'A', attempt('s1', 1))).toBe(false);
        expect(await store.cancel('e1', T0 + 6, 'again')).toBe(false);
        expect(await store.cancel('ghost', T0, 'x')).toBe(false);
      });
    });

    describe('queries', () => {
      it('lists newest first with filters and a cursor that survives equal creation instants', async () => {
        for (let i = 0; i < 9; i++) {
          await store.create(newExecution(`e${i}`, {
            now: T0 + Math.floor(i / 3), taskId: i % 2 === 0 ? 'even' : 'odd', scheduleId: i === 4 ? 'sch' : null,
            scheduledFor: i === 4 ? T0 : null, status: i === 8 ? 'waiting' : 'queued',
          }));
        }
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.list(cursor === undefined ? { limit: 4 } : { limit: 4, cursor });
          ids.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(ids).toEqual(['e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
        expect((await store.list({ limit: 10, taskId: 'odd' })).items.map((e) => e.id)).toEqual(['e7', 'e5', 'e3', 'e1']);
        expect((await store.list({ limit: 10, status: 'waiting' })).items.map((e) => e.id)).toEqual(['e8']);
        expect((await store.list({ limit: 10, scheduleId: 'sch' })).items.map((e) => e.id)).toEqual(['e4']);
        expect((await store.list({ limit: 10, taskId: 'even', status: 'queued' })).items).toHaveLength(4);
      });

      it('breaks ties between equal creation instants by id in code-point order, whatever the database locale', async () => {
        for (const id of ['e-a', 'e-B', 'e-c', 'e-_']) await store.create(newExecution(id));
        expect((await store.list({ limit: 10 })).items.map((e) => e.id)).toEqual(['e-c', 'e-a', 'e-_', 'e-B']);
      });

      it('filters by trigger and by a creation range (from inclusive, to exclusive), and pages within the filter', async () => {
        for (let i = 0; i < 10; i++) {
          await store.create(newExecution(`e${i}`, { now: T0 + i * 1000, trigger: i % 2 === 0 ? 'schedule' : 'api' }));
        }
        const ids = async (filter: Omit<Parameters<ExecutionStore['list']>[0], 'limit'>) =>
          (await store.list({ limit: 100, ...filter })).items.map((e) => e.id);
        expect(await ids({ trigger: 'api' })).toEqual(['e9', 'e7', 'e5', 'e3', 'e1']);
        expect(await ids({ trigger: 'retry' })).toEqual([]);
        expect(await ids({ createdFrom: T0 + 3000, createdBefore: T0 + 6000 })).toEqual(['e5', 'e4', 'e3']);
        expect(await ids({ createdFrom: T0 + 8000 })).toEqual(['e9', 'e8']);
        expect(await ids({ createdBefore: T0 + 1000 })).toEqual(['e0']);
        expect(await ids({ trigger: 'schedule', createdFrom: T0 + 2000, createdBefore: T0 + 8001 })).toEqual(['e8', 'e6', 'e4', 'e2']);
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.list({ limit: 2, trigger: 'schedule', createdFrom: T0 + 1000, ...(cursor ? { cursor } : {}) });
          paged.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(paged).toEqual(['e8', 'e6', 'e4', 'e2']);
      });

      it('lists for recovery the unfinished executions whose lease is free or expired', async () => {
        for (const id of ['free', 'held', 'expired', 'done']) await store.create(newExecution(id));
        await store.claim('held', 'A', T0 + 100, LEASE);
        await store.claim('expired', 'A', T0, 10);
        await store.claim('done', 'A', T0, LEASE);
        await store.release('done', 'A', { status: 'succeeded', finishedAt: T0 + 1 });
        expect((await store.listResumable(T0 + 50, 10)).map((e) => e.id).sort()).toEqual(['expired', 'free']);
        expect(await store.listResumable(T0 + 50, 1)).toHaveLength(1);
      });

      it('lists the owners of live leases and frees the leases of one (an owner that died)', async () => {
        for (const id of ['a1', 'a2', 'b1', 'old', 'done']) await store.create(newExecution(id));
        await store.claim('a1', 'A', T0, LEASE);
        await store.claim('a2', 'A', T0, LEASE);
        await store.claim('b1', 'B', T0, LEASE);
        await store.claim('old', 'C', T0, 10);
        await store.claim('done', 'D', T0, LEASE);
        await store.release('done', 'D', { status: 'succeeded', finishedAt: T0 + 1 });
        expect((await store.listLeaseOwners(T0 + 50)).sort()).toEqual(['A', 'B']);
        expect(await store.freeLeasesOf('A', T0 + 50)).toBe(2);
        expect(await store.listLeaseOwners(T0 + 50)).toEqual(['B']);
        expect((await store.listResumable(T0 + 50, 10)).map((e) => e.id).sort()).toEqual(['a1', 'a2', 'old']);
        // The dead owner's fenced writes are refused; a new owner claims at once.
        expect(await store.transition('a1', 'A', { status: 'running' })).toBe(false);
        expect(await store.claim('a1', 'E', T0 + 60, LEASE)).not.toBeNull();
      });

      it('lists the unfinished sub-tasks a parent started, and no one else\'s', async () => {
        const child = (id: string, key: string, over: Partial<NewExecution> = {}) => store.create(newExecution(id, { trigger: 'subtask', idempotencyKey: key, ...over }));
        await child('c1', 'subtask:p_1:a');
        await child('c2', 'subtask:p_1:each/0/call', { status: 'waiting' });
        await child('done', 'subtask:p_1:b');
        await store.cancel('done', T0, 'x');
        await child('other', 'subtask:px1:a'); // `_` must not match any character
        await child('longer', 'subtask:p_10:a');
        await store.create(newExecution('api', { idempotencyKey: 'subtask:p_1:z' })); // not a sub-task
        expect((await store.listActiveChildren('p_1')).map((e) => e.id).sort()).toEqual(['c1', 'c2']);
        expect(await store.listActiveChildren('nobody')).toEqual([]);
      });

      it('lists the unfinished executions of a schedule', async () => {
        await store.create(newExecution('a', { scheduleId: 'sch', scheduledFor: T0 }));
        await store.create(newExecution('b', { scheduleId: 'sch', scheduledFor: T0 + 1, status: 'running' }));
        await store.create(newExecution('c', { scheduleId: 'sch', scheduledFor: T0 + 2 }));
        await store.create(newExecution('other', { scheduleId: 'other', scheduledFor: T0 }));
        await store.cancel('c', T0, 'x');
        expect((await store.listActiveForSchedule('sch')).map((e) => e.id).sort()).toEqual(['a', 'b']);
        expect((await store.listActiveForSchedules(['sch', 'other', 'none'])).map((e) => e.id).sort()).toEqual(['a', 'b', 'other']);
        expect(await store.listActiveForSchedules([])).toEqual([]);
      });
    });

    describe('retention', () => {
      const HOUR = 3_600_000;
      /** An execution with one committed attempt, left in `status` (finished at `finishedAt` when given). */
      async function withJournal(id: string, status: 'succeeded' | 'failed' | 'running' | 'waiting', finishedAt: number | null) {
        await store.create(newExecution(id));
        await store.claim(id, 'A', T0, LEASE);
        await store.appendAttempt(id, 'A', attempt('s1', 1));
        await store.release(id, 'A', { status, finishedAt, ...(status === 'waiting' ? { wakeAt: T0 + 100 * HOUR } : {}) });
      }

      it('deletes finished executions that ended before the cutoff, with their journals, and nothing else', async () => {
        await withJournal('old-ok', 'succeeded', T0 + 10);
        await withJournal('old-failed', 'failed', T0 + 20);
        await store.create(newExecution('old-canceled'));
        await store.cancel('old-canceled', T0 + 30, 'x');
        await withJournal('old-running', 'running', null);
        await withJournal('old-waiting', 'waiting', null);
        await store.create(newExecution('old-queued'));
        await withJournal('recent', 'succeeded', T0 + 2 * HOUR);

        expect(await store.pruneFinished(T0 + HOUR, 100)).toBe(3);
        for (const id of ['old-ok', 'old-failed', 'old-canceled']) {
          expect(await store.get(id)).toBeNull();
          expect(await store.attempts(id)).toEqual([]);
        }
        for (const id of ['old-running', 'old-waiting', 'old-queued', 'recent']) expect(await store.get(id)).not.toBeNull();
        for (const id of ['old-running', 'old-waiting', 'recent']) expect(await store.attempts(id)).toHaveLength(1);
        expect(await store.pruneFinished(T0 + HOUR, 100)).toBe(0);
        // Age alone never prunes an unfinished execution.
        expect(await store.pruneFinished(T0 + 1000 * HOUR, 100)).toBe(1);
        expect((await store.list({ limit: 10 })).items.map((e) => e.id).sort()).toEqual(['old-queued', 'old-running', 'old-waiting']);
      });

      it('deletes at most one batch per call, oldest first', async () => {
        for (let i = 0; i < 5; i++) await withJournal(`e${i}`, 'succeeded', T0 + (5 - i) * 1000);
        expect(await store.pruneFinished(T0 + HOUR, 2)).toBe(2);
        expect((await store.list({ limit: 10 })).items.map((e) => e.id).sort()).toEqual(['e0', 'e1', 'e2']);
        expect(await store.pruneFinished(T0 + HOUR, 2)).toBe(2);
        expect(await store.pruneFinished(T0 + HOUR, 2)).toBe(1);
        expect(await store.pruneFinished(T0 + HOUR, 2)).toBe(0);
      });
    });
  });
}
