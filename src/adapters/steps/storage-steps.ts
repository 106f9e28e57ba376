// The `storage.read`, `storage.write` and `storage.delete` steps over the
// KvStore port. Params: namespace (default "default"), key, value (write),
// ttl (write: a duration; expiresAt = ctx.now() + ttl), default (read: the
// output when the key is missing, else null). Outputs: read -> the value;
// write/delete -> { key }. Store failures become kind `storage`; nothing here
// knows which store (SQL, Redis, memory) sits behind the port.
import { parseDuration } from '../../domain/duration.js';
import { stringifyJson, type JsonValue } from '../../domain/json.js';
import { isBackendUnavailable } from '../backend-unavailable.js';
import { StepError } from '../../domain/step-error.js';
import type { KvStore } from '../../ports/kv-store.js';
import type { StepRunContext, StepRunner } from '../../ports/step-runner.js';
import { paramError } from './param-error.js';

export const DEFAULT_NAMESPACE = 'default';

interface Address {
  namespace: string;
  key: string;
}

/** Keys and namespaces are text; a number or big integer from a template is accepted as its digits. */
function name(param: string, value: JsonValue | undefined, fallback?: string): string {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string' && value !== '') return value;
  throw paramError(param, `expected a non-empty string, got ${stringifyJson(value ?? null)}`);
}

function address(params: Record<string, JsonValue>): Address {
  return { namespace: name('namespace', params.namespace, DEFAULT_NAMESPACE), key: name('key', params.key) };
}

function expiresAt(ttl: JsonValue | undefined, now: number): number | null {
  if (ttl === undefined || ttl === null) return null;
  const parsed = parseDuration(ttl);
  if (!parsed.ok) throw paramError('ttl', parsed.message);
  if (parsed.ms <= 0) throw paramError('ttl', `expected a positive duration, got ${stringifyJson(ttl)}`);
  return now + parsed.ms;
}

/** Runs one store call; a store failure becomes kind `storage`, an abort ends the wait. */
async function call<T>(op: string, at: Address, ctx: StepRunContext, work: () => Promise<T>): Promise<T> {
  const aborted = (): StepError => {
    const reason: unknown = ctx.signal.reason;
    return reason instanceof StepError ? reason : new StepError('canceled', 'step canceled', { cause: reason });
  };
  if (ctx.signal.aborted) throw aborted();
  let onAbort: (() => void) | undefined;
  const abortPromise = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted());
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), abortPromise]);
  } catch (err) {
    if (err instanceof StepError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    // The store being unreachable is a network failure (retried by default), not a storage error.
    const kind = isBackendUnavailable(err) ? 'network' : 'storage';
    throw new StepError(kind, `${op} ${at.namespace}/${at.key} failed: ${detail}`, { cause: err });
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

export function createStorageStepRunners(kv: KvStore): StepRunner[] {
  const read: StepRunner = {
    type: 'storage.read',
    run: async (params, ctx) => {
      const at = address(params);
      const entry = await call('storage.read', at, ctx, () => kv.get(at.namespace, at.key, ctx.now()));
      return entry === null ? (params.default ?? null) : entry.value;
    },
  };
  const write: StepRunner = {
    type: 'storage.write',
    run: async (params, ctx) => {
      const at = address(params);
      const entry = { ...at, value: params.value ?? null, expiresAt: expiresAt(params.ttl, ctx.now()) };
      await call('storage.write', at, ctx, () => kv.set(entry));
      return { key: at.key };
    },
  };
  const remove: StepRunner = {
    type: 'storage.delete',
    run: async (params, ctx) => {
      const at = address(params);
      await call('storage.delete', at, ctx, () => kv.delete(at.namespace, at.key, ctx.now()));
      return { key: at.key };
    },
  };
  return [read, write, remove];
}
