import { describe, expect, it } from 'vitest';
import { decide, HANDLED_INSIDE, JournalIndex, type Decision, type RunRequest } from './engine.js';
import type { RetryPolicy, StepDefinition, TaskDefinition } from './definition.js';
import type { StepAttempt } from './execution.js';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0); // reference instant for every case

function step(id: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return { id, type: 'transform', params: { value: id }, onError: 'fail', ...extra };
}

function ok(path: string, output: StepAttempt['output'], attempt = 1, at = T0): StepAttempt {
  return { path, stepId: path.split('/').pop() as string, attempt, status: 'succeeded', output, error: null, startedAt: at, finishedAt: at };
}

function failed(path: string, attempt = 1, kind: 'http_5xx' | 'http_4xx' | 'timeout' = 'http_5xx', at = T0, retryAfterMs?: number): StepAttempt {
  return {
    path,
    stepId: path.split('/').pop() as string,
    attempt,
    status: 'failed',
    output: null,
    error: { kind, message: `boom ${attempt}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    startedAt: at,
    finishedAt: at,
  };
}

const task = (steps: StepDefinition[], extra: Partial<TaskDefinition> = {}): TaskDefinition => ({ name: 't', steps, ...extra });
type Legacy =
  | { type: 'run'; runs: RunRequest[] }
  | { type: 'wait'; until: number }
  | ({ type: 'complete' } & NonNullable<Decision['complete']>)
  | { type: 'records'; records: Decision['records'] };

/** One reading of a decision: finish, else records to commit, else runs to start, else a wait. */
function legacy(d: Decision): Legacy {
  if (d.complete) return { type: 'complete', ...d.complete };
  if (d.records.length > 0) return { type: 'records', records: d.records };
  if (d.runs.length > 0) return { type: 'run', runs: d.runs };
  if (d.wakeAt !== null) return { type: 'wait', until: d.wakeAt };
  throw new Error('empty decision');
}
const run = (def: TaskDefinition, journal: StepAttempt[], now = T0): Legacy => legacy(decide(def, { executionId: 'e1', journal, now }));
const fixed3: RetryPolicy = { maxAttempts: 3, backoff: 'fixed', delayMs: 1000, jitter: false, on: ['http_5xx'] };

describe('the engine', () => {
  it('runs the first step of a fresh execution', () => {
    const d = run(task([step('a'), step('b')]), []);
    expect(d.type).toBe('run');
    if (d.type !== 'run') return;
    expect(d.runs.map((r) => [r.path, r.attempt])).toEqual([['a', 1]]);
  });

  it('runs the next step with the previous output in scope', () => {
    const d = run(task([step('a'), step('b')]), [ok('a', { n: 1 })]);
    if (d.type !== 'run') throw new Error(d.type);
    expect(d.runs[0]?.path).toBe('b');
    expect(d.runs[0]?.scope.prev).toEqual({ n: 1 });
    expect(d.runs[0]?.scope.steps['a']).toEqual({ output: { n: 1 }, status: 'succeeded', error: null, attempts: 1 });
  });

  it('completes with the last output when every step succeeded', () => {
    const d = run(task([step('a'), step('b')]), [ok('a', 1), ok('b', 2)]);
    expect(d).toMatchObject({ type: 'complete', status: 'succeeded', output: 2, error: null });
  });

  it('treats a skipped step as done with a null output', () => {
    const d = run(task([step('a'), step('b')]), [{ ...ok('a', null), status: 'skipped' }, ok('b', 2)]);
    expect(d).toMatchObject({ type: 'complete', status: 'succeeded' });
  });

  describe('when a step fails', () => {
    it('fails the execution with the step id when onError is fail', () => {
      const d = run(task([step('a'), step('b')]), [failed('a')]);
      expect(d).toMatchObject({ type: 'complete', status: 'failed', error: { kind: 'http_5xx', stepId: 'a' } });
    });

    it('waits for the back-off, then runs the next attempt', () => {
      const def = task([step('a', { retry: fixed3 })]);
      expect(run(def, [failed('a', 1)], T0 + 500)).toEqual({ type: 'wait', until: T0 + 1000 });
      const d = run(def, [failed('a', 1)], T0 + 1000);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.attempt).toBe(2);
    });

    it('does not retry kinds the policy does not name', () => {
      const d = run(task([step('a', { retry: fixed3 })]), [failed('a', 1, 'http_4xx')]);
      expect(d).toMatchObject({ type: 'complete', status: 'failed' });
    });

    it('stops after maxAttempts and takes the continue path with the last error', () => {
      const def = task([step('a', { retry: fixed3, onError: 'continue' }), step('b')]);
      const d = run(def, [failed('a', 1), failed('a', 2), failed('a', 3)], T0 + 10_000);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.path).toBe('b');
      expect(d.runs[0]?.scope.steps['a']).toMatchObject({ status: 'failed', attempts: 3, error: { message: 'boom 3' } });
      expect(d.runs[0]?.scope.prev).toBeNull();
    });

    it('finishes as handled_failure when a step failed and continue was taken', () => {
      const def = task([step('a', { onError: 'continue' }), step('b')]);
      expect(run(def, [failed('a'), ok('b', 1)])).toMatchObject({ type: 'complete', status: 'handled_failure', output: 1 });
    });

    it('finishes as succeeded when a retry succeeded (the continue path is not taken)', () => {
      const def = task([step('a', { retry: fixed3, onError: 'continue' })]);
      expect(run(def, [failed('a', 1), failed('a', 2), ok('a', 'fine', 3)], T0 + 5000)).toMatchObject({ status: 'succeeded', output: 'fine' });
    });

    it('honours Retry-After when it asks for longer than the back-off', () => {
      const def = task([step('a', { retry: fixed3 })]);
      expect(run(def, [failed('a', 1, 'http_5xx', T0, 5000)], T0)).toEqual({ type: 'wait', until: T0 + 5000 });
    });

    it('backs off exponentially up to maxDelay', () => {
      const policy: RetryPolicy = { maxAttempts: 6, backoff: 'exponential', delayMs: 1000, maxDelayMs: 3000, jitter: false, on: ['http_5xx'] };
      const def = task([step('a', { retry: policy })]);
      expect(run(def, [failed('a', 1)])).toEqual({ type: 'wait', until: T0 + 1000 });
      expect(run(def, [failed('a', 1), failed('a', 2)])).toEqual({ type: 'wait', until: T0 + 2000 });
      expect(run(def, [failed('a', 1), failed('a', 2), failed('a', 3)])).toEqual({ type: 'wait', until: T0 + 3000 });
    });

    it('jitters deterministically within [delay/2, delay]', () => {
      const def = task([step('a', { retry: { ...fixed3, jitter: true } })]);
      const first = run(def, [failed('a', 1)]);
      expect(run(def, [failed('a', 1)])).toEqual(first);
      if (first.type !== 'wait') throw new Error(first.type);
      expect(first.until - T0).toBeGreaterThanOrEqual(500);
      expect(first.until - T0).toBeLessThanOrEqual(1000);
    });
  });

  describe('with a fallback list', () => {
    const def = task([step('a', { onError: [step('fb1'), step('fb2')] }), step('b')]);

    it('runs the fallback with the error in scope', () => {
      const d = run(def, [failed('a')]);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.path).toBe('a/fallback/fb1');
      expect(d.runs[0]?.scope.error).toMatchObject({ kind: 'http_5xx', stepId: 'a' });
    });

    it("uses the fallback's output as the step's and goes on", () => {
      const d = run(def, [failed('a'), ok('a/fallback/fb1', 1), ok('a/fallback/fb2', 'saved')]);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.path).toBe('b');
      expect(d.runs[0]?.scope.prev).toBe('saved');
      expect(d.runs[0]?.scope.steps['a']).toMatchObject({ status: 'failed', output: 'saved' });
    });

    it('fails the execution when the fallback fails', () => {
      const d = run(def, [failed('a'), failed('a/fallback/fb1', 1, 'http_4xx')]);
      expect(d).toMatchObject({ type: 'complete', status: 'failed', error: { stepId: 'fb1' } });
    });

    it('lets later steps read the fallback steps that ran', () => {
      const d = run(def, [failed('a'), ok('a/fallback/fb1', 'one'), ok('a/fallback/fb2', 'two')]);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.scope.steps['fb1']?.output).toBe('one');
    });

    it('ends as handled_failure', () => {
      const d = run(def, [failed('a'), ok('a/fallback/fb1', 1), ok('a/fallback/fb2', 2), ok('b', 3)]);
      expect(d).toMatchObject({ type: 'complete', status: 'handled_failure', output: 3 });
    });
  });

  describe('with onFailure', () => {
    const def = task([step('a'), step('b')], { onFailure: [step('alert')] });

    it('runs the handler once with the error, then fails', () => {
      const d = run(def, [failed('a')]);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.path).toBe('@onFailure/alert');
      expect(d.runs[0]?.scope.error).toMatchObject({ stepId: 'a' });
      expect(run(def, [failed('a'), ok('@onFailure/alert', null)])).toMatchObject({ type: 'complete', status: 'failed', error: { stepId: 'a' } });
    });

    it('still fails with the original error when the handler itself fails', () => {
      expect(run(def, [failed('a'), failed('@onFailure/alert')])).toMatchObject({ status: 'failed', error: { stepId: 'a' } });
    });

    it('does not run on success', () => {
      expect(run(def, [ok('a', 1), ok('b', 2)])).toMatchObject({ status: 'succeeded' });
    });
  });

  describe('with a delay', () => {
    const def = task([step('pause', { type: 'delay', params: { duration: '1h' } }), step('b')]);
    const marker: StepAttempt = { ...ok('pause', { waitedMs: 3_600_000 }), status: 'waiting', wakeAt: T0 + 3_600_000 };

    it('waits until the recorded wake instant, holding nothing', () => {
      expect(run(def, [marker], T0 + 10)).toEqual({ type: 'wait', until: T0 + 3_600_000 });
    });

    it('goes on once the wake instant has passed, without a second commit', () => {
      const d = run(def, [marker], T0 + 3_600_000);
      if (d.type !== 'run') throw new Error(d.type);
      expect(d.runs[0]?.path).toBe('b');
      expect(d.runs[0]?.scope.prev).toEqual({ waitedMs: 3_600_000 });
    });
  });

  it('reproduces every decision when a journal is replayed', () => {
    const def = task([step('a', { retry: { ...fixed3, jitter: true }, onError: [step('fb')] }), step('b')], { onFailure: [step('alert')] });
    const journal = [failed('a', 1), failed('a', 2, 'http_5xx', T0 + 1000), failed('a', 3, 'http_5xx', T0 + 2000), ok('a/fallback/fb', 'x', 1, T0 + 3000), ok('b', 'y', 1, T0 + 4000)];
    const decisions = journal.map((_, i) => run(def, journal.slice(0, i), T0 + 10_000));
    const again = journal.map((_, i) => run(def, journal.slice(0, i), T0 + 10_000));
    expect(again).toEqual(decisions);
    expect(run(def, journal, T0 + 10_000)).toMatchObject({ status: 'handled_failure', output: 'y' });
  });
});

describe('control flow', () => {
  const entered = (path: string, output: StepAttempt['output']): StepAttempt => ok(`${path}/@enter`, output);
  const decideWith = (def: TaskDefinition, journal: StepAttempt[], running: string[] = [], now = T0) =>
    decide(def, { executionId: 'e1', journal, now, running: new Set(running) });

  describe('foreach', () => {
    const loop = (concurrency = 2): TaskDefinition =>
      task([
        { ...step('each', { type: 'foreach', params: {} }), items: '{{ input.list }}', concurrency, steps: [step('call'), step('shape')] },
        step('after'),
      ]);

    it('enters first (resolving the items once)', () => {
      const d = decideWith(loop(), []);
      expect(d.runs.map((r) => [r.kind, r.path])).toEqual([['enter', 'each']]);
    });

    it('starts at most `concurrency` iterations, each with its item and index', () => {
      const d = decideWith(loop(2), [entered('each', { items: ['a', 'b', 'c'] })]);
      expect(d.runs.map((r) => r.path)).toEqual(['each/0/call', 'each/1/call']);
      expect(d.runs.map((r) => [r.scope.item, r.scope.index])).toEqual([['a', 0], ['b', 1]]);
    });

    it('counts attempts in flight as busy and starts the next item when one finishes', () => {
      const journal = [entered('each', { items: ['a', 'b', 'c'] }), ok('each/0/call', 1), ok('each/0/shape', 'A')];
      const d = decideWith(loop(2), journal, ['each/1/call']);
      expect(d.runs.map((r) => r.path)).toEqual(['each/2/call']);
    });

    it('sees earlier steps of the same iteration, not of other iterations', () => {
      const d = decideWith(loop(1), [entered('each', { items: ['a', 'b'] }), ok('each/0/call', 'first')]);
      expect(d.runs[0]?.path).toBe('each/0/shape');
      expect(d.runs[0]?.scope.steps['call']?.output).toBe('first');
    });

    it('records the outputs in item order, then goes on with the array as its output', () => {
      const journal = [
        entered('each', { items: ['a', 'b'] }),
        ok('each/1/call', 1),
        ok('each/1/shape', 'B'),
        ok('each/0/call', 1),
        ok('each/0/shape', 'A'),
      ];
      const d = decideWith(loop(), journal);
      expect(d.records).toEqual([expect.objectContaining({ path: 'each', status: 'succeeded', output: ['A', 'B'] })]);
      const next = decideWith(loop(), [...journal, ok('each', ['A', 'B'])]);
      expect(next.runs[0]?.path).toBe('after');
      expect(next.runs[0]?.scope.steps['each']?.output).toEqual(['A', 'B']);
    });

    it('fails fast on an unhandled iteration failure, naming the inner step', () => {
      const journal = [entered('each', { items: ['a', 'b', 'c'] }), failed('each/1/call')];
      const d = decideWith(loop(3), journal, ['each/0/call']);
      expect(d.runs).toEqual([]);
      expect(d.records).toEqual([expect.objectContaining({ path: 'each', status: 'failed', error: expect.objectContaining({ stepId: 'call' }) })]);
      const end = decideWith(loop(3), [...journal, { ...failed('each'), error: { kind: 'http_5xx', message: 'boom 1', stepId: 'call' } }]);
      expect(end.complete).toMatchObject({ status: 'failed', error: { stepId: 'call' } });
    });

    it("lets an inner step's onError handle its own failure, and the execution ends handled_failure", () => {
      const def = task([{ ...step('each', { type: 'foreach' }), items: [1, 2], steps: [step('call', { onError: 'continue' })] }]);
      const journal = [entered('each', { items: [1, 2] }), failed('each/0/call'), ok('each/1/call', 'x')];
      const d = decideWith(def, journal);
      expect(d.records).toEqual([expect.objectContaining({ path: 'each', status: 'succeeded', output: [null, 'x'], error: HANDLED_INSIDE })]);
      const record = d.records[0];
      if (!record) throw new Error('no record');
      const end = decideWith(def, [...journal, { ...ok('each', record.output), error: record.error }]);
      expect(end.complete).toMatchObject({ status: 'handled_failure', output: [null, 'x'] });
    });

    it('decides the same with a kept index as with a fresh one, step by step', () => {
      const def = loop(3);
      const journal: StepAttempt[] = [entered('each', { items: [1, 2, 3, 4, 5] })];
      const index = new JournalIndex(journal);
      for (let i = 0; i < 12; i++) {
        const fresh = decideWith(def, journal);
        const kept = decide(def, { executionId: 'e1', journal: index, now: T0, running: new Set() });
        expect(kept).toEqual(fresh);
        const next = fresh.runs[fresh.runs.length - 1] ?? fresh.records[0];
        if (!next) break;
        const entry = ok(next.path, 'out');
        journal.push(entry);
        index.append(entry);
      }
    });

    it('records an empty list for no items', () => {
      expect(decideWith(loop(), [entered('each', { items: [] })]).records).toEqual([expect.objectContaining({ output: [] })]);
    });
  });

  describe('parallel', () => {
    const par = task([{ ...step('par', { type: 'parallel' }), branches: [[step('a1'), step('a2')], [step('b1')]] }]);

    it('starts every branch at once', () => {
      expect(decideWith(par, [entered('par', {})]).runs.map((r) => r.path)).toEqual(['par/0/a1', 'par/1/b1']);
    });

    it("records each branch's last output, in branch order", () => {
      const d = decideWith(par, [entered('par', {}), ok('par/1/b1', 'B'), ok('par/0/a1', 1), ok('par/0/a2', 'A')]);
      expect(d.records).toEqual([expect.objectContaining({ path: 'par', output: ['A', 'B'] })]);
    });
  });

  describe('switch', () => {
    const sw = task([{ ...step('sw', { type: 'switch' }), cases: [{ when: '{{ false }}', steps: [step('x')] }, { when: '{{ true }}', steps: [step('y')] }], default: [step('z')] }]);

    it('runs the chosen case', () => {
      expect(decideWith(sw, [entered('sw', { case: 1 })]).runs.map((r) => r.path)).toEqual(['sw/1/y']);
      expect(decideWith(sw, [entered('sw', { case: 'default' })]).runs.map((r) => r.path)).toEqual(['sw/default/z']);
    });

    it("records the case's output, or null when nothing matched", () => {
      expect(decideWith(sw, [entered('sw', { case: 1 }), ok('sw/1/y', 'Y')]).records[0]).toMatchObject({ output: 'Y' });
      expect(decideWith(sw, [entered('sw', { case: null })]).records[0]).toMatchObject({ status: 'succeeded', output: null });
    });
  });

  it('ends timed_out once the deadline has passed', () => {
    const d = decide(task([step('a')]), { executionId: 'e1', journal: [], now: T0 + 10, deadline: T0 });
    expect(d.complete).toMatchObject({ status: 'timed_out', error: { kind: 'timeout' } });
  });

  it('does not start an attempt that is already in flight', () => {
    expect(decideWith(task([step('a')]), [], ['a']).runs).toEqual([]);
  });
});
