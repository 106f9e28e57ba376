// The storage.* steps over the real SQL KvStore on a temporary SQLite file:
// round trips (big integers included), namespaces, ttl against ctx.now(),
// param errors and store failures with their kinds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../domain/json.js';
import { StepError, StepTimeoutError } from '../../domain/step-error.js';
import type { Logger } from '../../ports/logger.js';
import type { StepRunContext, StepRunner } from '../../ports/step-runner.js';
import { createSqlStores, type SqlStores } from '../sql/index.js';
import { createStorageStepRunners } from './storage-steps.js';

const REFERENCE_NOW = Date.parse('2030-01-01T00:00:00Z');
const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger };

function ctx(over: Partial<StepRunContext> = {}): StepRunContext {
  return {
    executionId: 'exec-1', stepId: 'store', path: 'store', attempt: 1, idempotencyKey: 'exec-1:store',
    signal: new AbortController().signal, logger: silentLogger, now: () => REFERENCE_NOW, ...over,
  };
}

async function failure(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(StepError);
    return err as StepError;
  }
  throw new Error('expected the step to fail');
}

describe('the storage steps on a SQLite KvStore', () => {
  let dir: string;
  let stores: SqlStores;
  let steps: Record<string, StepRunner>;
  const run = (type: string, params: Record<string, JsonValue>, c = ctx()): Promise<JsonValue> => steps[type]!.run(params, c);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tasker-storage-steps-'));
    stores = await createSqlStores(`sqlite:${join(dir, 'kv.db')}`);
    steps = Object.fromEntries(createStorageStepRunners(stores.kv).map((r) => [r.type, r]));
  });
  afterEach(async () => {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a value and reads it back, big integers digit for digit', async () => {
    const value = { id: 12345678901234567890n, tags: ['a', 'b'], ok: true };
    expect(await run('storage.write', { key: 'last', value })).toEqual({ key: 'last' });
    expect(await run('storage.read', { key: 'last' })).toEqual(value);
  });

  it('reads null for a missing key, or the default param when given', async () => {
    expect(await run('storage.read', { key: 'nope' })).toBeNull();
    expect(await run('storage.read', { key: 'nope', default: 0 })).toBe(0);
  });

  it('uses the namespace "default" unless told otherwise, and keeps namespaces apart', async () => {
    await run('storage.write', { key: 'k', value: 'in default' });
    await run('storage.write', { key: 'k', value: 'in other', namespace: 'other' });
    expect(await run('storage.read', { key: 'k', namespace: 'default' })).toBe('in default');
    expect(await run('storage.read', { key: 'k', namespace: 'other' })).toBe('in other');
  });

  it('expires a value written with a ttl once ctx.now() passes it', async () => {
    await run('storage.write', { key: 'session', value: 'abc', ttl: '10s' });
    expect(await run('storage.read', { key: 'session' }, ctx({ now: () => REFERENCE_NOW + 9_000 }))).toBe('abc');
    expect(await run('storage.read', { key: 'session' }, ctx({ now: () => REFERENCE_NOW + 11_000 }))).toBeNull();
    expect((await stores.kv.get('default', 'session', REFERENCE_NOW))?.expiresAt).toBe(REFERENCE_NOW + 10_000);
  });

  it('deletes a key and outputs { key }', async () => {
    await run('storage.write', { key: 'gone', value: 1 });
    expect(await run('storage.delete', { key: 'gone' })).toEqual({ key: 'gone' });
    expect(await run('storage.read', { key: 'gone' })).toBeNull();
    expect(await run('storage.delete', { key: 'gone' })).toEqual({ key: 'gone' });
  });

  it('accepts a number from a template as a key', async () => {
    await run('storage.write', { key: 42, value: 'x' });
    expect(await run('storage.read', { key: '42' })).toBe('x');
  });

  it('fails with kind expression when the resolved key or ttl is unusable', async () => {
    expect((await failure(run('storage.read', { key: '' }))).message).toContain('params.key');
    expect((await failure(run('storage.write', { key: 'k', value: 1, ttl: 'soon' }))).kind).toBe('expression');
    expect((await failure(run('storage.write', { key: 'k', value: 1, ttl: 0 }))).kind).toBe('expression');
  });

  it('fails with kind storage when the store fails', async () => {
    await stores.close();
    const err = await failure(run('storage.read', { key: 'k' }));
    expect(err.kind).toBe('storage');
    expect(err.message).toContain('default/k');
    stores = await createSqlStores(`sqlite:${join(dir, 'kv.db')}`); // for afterEach
  });

  it('fails with the abort reason when the signal is already aborted', async () => {
    const c = new AbortController();
    c.abort(new StepTimeoutError(100));
    expect((await failure(run('storage.write', { key: 'k', value: 1 }, ctx({ signal: c.signal })))).kind).toBe('timeout');
  });
});
