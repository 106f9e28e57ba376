import { describe, expect, it } from 'vitest';
import type { TaskDefinition } from './definition.js';
import type { Problem } from './errors.js';
import type { StepCatalog } from './step-catalog.js';
import { validateDefinition } from './validate-definition.js';

const catalog: StepCatalog = {
  types: new Set(['http', 'transform', 'storage.read', 'storage.write', 'storage.delete', 'log', 'fail']),
  checkParams: {
    http: (params) => (params['url'] === undefined ? [{ path: '/url', message: 'is required' }] : []),
  },
};

function valid(raw: unknown): TaskDefinition {
  const r = validateDefinition(raw, catalog);
  if (!r.ok) throw new Error(`expected a valid definition, got ${JSON.stringify(r.problems, null, 2)}`);
  return r.definition;
}

function problems(raw: unknown): Problem[] {
  const r = validateDefinition(raw, catalog);
  if (r.ok) throw new Error('expected problems, the definition is valid');
  return r.problems;
}

const designExample = {
  name: 'sync-posts',
  description: 'optional text',
  input: { type: 'object', properties: { since: { type: 'integer' } } },
  steps: [
    {
      id: 'fetch',
      type: 'http',
      params: {
        method: 'GET',
        url: 'http://127.0.0.1:3000/posts?id_gte={{ input.since }}',
        headers: { Authorization: 'Bearer {{ secrets.API_TOKEN }}' },
      },
      timeout: '10s',
      retry: { maxAttempts: 5, backoff: 'exponential', delay: '1s', maxDelay: '30s', jitter: true },
    },
    { id: 'titles', type: 'transform', params: { value: '{{ steps.fetch.output.body.title }}' } },
    {
      id: 'remember',
      type: 'storage.write',
      params: { key: 'last-id', value: '{{ $max(steps.fetch.output.body.id) }}' },
      onError: 'continue',
    },
  ],
  onFailure: [{ id: 'alert', type: 'http', params: { method: 'POST', url: 'http://127.0.0.1:4000/alerts', body: '{{ error }}' } }],
};

describe('a valid definition', () => {
  it('is normalised: durations in ms, retry defaults filled in, onError always present', () => {
    const def = valid(designExample);
    expect(def.steps[0]).toEqual({
      id: 'fetch',
      type: 'http',
      params: designExample.steps[0]?.params,
      timeoutMs: 10_000,
      retry: { maxAttempts: 5, backoff: 'exponential', delayMs: 1000, maxDelayMs: 30_000, jitter: true, on: ['timeout', 'network', 'http_5xx', 'http_429'] },
      onError: 'fail',
    });
    expect(def.steps[2]?.onError).toBe('continue');
    expect(def.onFailure?.[0]?.id).toBe('alert');
    expect(def.input).toEqual(designExample.input);
  });

  it('fills a partial retry block with the documented defaults', () => {
    const def = valid({ name: 't', steps: [{ id: 'a', type: 'log', params: {}, retry: { maxAttempts: 3 } }] });
    expect(def.steps[0]?.retry).toEqual({ maxAttempts: 3, backoff: 'exponential', delayMs: 1000, jitter: false, on: ['timeout', 'network', 'http_5xx', 'http_429'] });
  });

  it('validates again as is once normalised (a stored definition can be sent back)', () => {
    const def = valid(designExample);
    expect(valid(JSON.parse(JSON.stringify(def)))).toEqual(def);
  });

  it('maps seed type aliases and stores a bare `if` as a template', () => {
    const def = valid({ name: 't', steps: [{ id: 'a', type: 'storage_read', params: { key: 'k' }, if: 'input.enabled' }, { id: 'b', type: 'log', if: false }] });
    expect(def.steps[0]).toMatchObject({ type: 'storage.read', if: '{{ input.enabled }}' });
    expect(def.steps[1]).toMatchObject({ params: {}, if: '{{ false }}' });
  });

  it('knows the engine-handled delay step and checks its params', () => {
    expect(valid({ name: 't', steps: [{ id: 'wait', type: 'delay', params: { duration: '5m' } }] }).steps[0]?.type).toBe('delay');
    expect(problems({ name: 't', steps: [{ id: 'w', type: 'delay', params: { duration: 'soon' } }, { id: 'x', type: 'delay', params: {} }] })).toEqual([
      { path: '/steps/0/params/duration', message: expect.stringContaining('got "soon"') },
      { path: '/steps/1/params', message: expect.stringContaining('needs "duration"') },
    ]);
  });
});

describe('an invalid definition', () => {
  it('reports every problem at once, each at its JSON pointer', () => {
    const found = problems({
      name: 'bad name!',
      stpes: [],
      steps: [
        { id: 'fetch', type: 'htp', params: { url: 'x' }, timeout: 'soon' },
        { id: 'fetch', type: 'transform', params: { value: '{{ steps.fetch.output + }}' } },
        { id: 'use', type: 'transform', params: { value: '{{ steps.later.output }}' }, retry: { maxAttempts: 1000 } },
        { id: 'later', type: 'http', params: {} },
      ],
    });
    expect(found.map((p) => p.path)).toEqual([
      '/name',
      '/stpes',
      '/steps/0/timeout',
      '/steps/0/type',
      '/steps/1/id',
      '/steps/1/params/value',
      '/steps/2/retry/maxAttempts',
      '/steps/2/params/value',
      '/steps/3/params/url',
    ]);
    const byPath = Object.fromEntries(found.map((p) => [p.path, p.message]));
    expect(byPath['/name']).toBe('expected letters, digits, "-", "_" or "." only, got "bad name!"');
    expect(byPath['/stpes']).toBe('unknown field "stpes": did you mean "steps"?');
    expect(byPath['/steps/0/timeout']).toMatch(/^expected a duration like 10s.*got "soon"$/);
    expect(byPath['/steps/0/type']).toMatch(/^unknown step type "htp": expected one of "delay", "fail", "foreach", "http"/);
    expect(byPath['/steps/1/id']).toBe('duplicate step id "fetch": the step at /steps/0 already uses it');
    expect(byPath['/steps/1/params/value']).toContain('does not parse');
    expect(byPath['/steps/2/retry/maxAttempts']).toBe('must be at most 100, got 1000');
    expect(byPath['/steps/2/params/value']).toBe('references step "later", which runs later');
    expect(byPath['/steps/3/params/url']).toBe('is required');
  });

  it('refuses retry settings beyond the documented maximums instead of clamping them', () => {
    expect(problems({ name: 't', steps: [{ id: 'a', type: 'log', retry: { maxAttempts: 0, delay: '2d', maxDelay: '10ms', on: ['timeout', 'nope'] }, timeout: '25h' }] })).toEqual([
      { path: '/steps/0/timeout', message: 'must be at most 1d, got "25h"' },
      { path: '/steps/0/retry/maxAttempts', message: 'must be at least 1, got 0' },
      { path: '/steps/0/retry/delay', message: 'must be at most 1d, got "2d"' },
      { path: '/steps/0/retry/on/1', message: expect.stringContaining('got "nope"') },
    ]);
    expect(problems({ name: 't', steps: [{ id: 'a', type: 'log', retry: { delay: '10s', maxDelay: '1s', backoff: 'linear' } }] })).toEqual([
      { path: '/steps/0/retry/backoff', message: 'expected one of "fixed", "exponential", got "linear"' },
    ]);
    expect(problems({ name: 't', steps: [{ id: 'a', type: 'log', retry: { delay: '10s', maxDelay: '1s' } }] })).toEqual([
      { path: '/steps/0/retry/maxDelay', message: 'must not be shorter than delay (10s), got 1s' },
    ]);
  });

  it('reports references to steps that do not exist', () => {
    expect(problems({ name: 't', steps: [{ id: 'a', type: 'transform', params: { v: '{{ steps.nope.output }}' }, if: 'steps.Nada.output' }, { id: 'nada', type: 'log' }] })).toEqual([
      { path: '/steps/0/params/v', message: 'references step "nope", which does not exist' },
      { path: '/steps/0/if', message: 'references step "Nada", which does not exist (did you mean "nada"?)' },
    ]);
  });

  it('reports a step reading its own output', () => {
    expect(problems({ name: 't', steps: [{ id: 'a', type: 'transform', params: { v: '{{ steps.a.output }}' } }] })).toEqual([
      { path: '/steps/0/params/v', message: 'references its own step "a", whose output does not exist yet' },
    ]);
  });

  it('rejects duplicate ids across main steps, fallbacks and onFailure', () => {
    const found = problems({
      name: 't',
      steps: [{ id: 'a', type: 'log', onError: [{ id: 'b', type: 'log' }, { id: 'a', type: 'log' }] }],
      onFailure: [{ id: 'b', type: 'log' }],
    });
    expect(found).toEqual([
      { path: '/steps/0/onError/1/id', message: 'duplicate step id "a": the step at /steps/0 already uses it' },
      { path: '/onFailure/0/id', message: 'duplicate step id "b": the step at /steps/0/onError/0 already uses it' },
    ]);
  });

  it('reports a shape error per node, not one for the whole tree', () => {
    expect(problems({ name: 't', steps: ['nope', { id: 'a', type: 'log', onError: 'retry' }, { id: '1x', type: 'log', params: [] }] })).toEqual([
      { path: '/steps/0', message: 'expected a step (an object with id, type and params), got "nope"' },
      { path: '/steps/1/onError', message: 'expected "fail", "continue" or a list of fallback steps, got "retry"' },
      { path: '/steps/2/id', message: 'expected a letter or "_" followed by letters, digits or "_", got "1x"' },
      { path: '/steps/2/params', message: 'expected an object of params, got a list' },
    ]);
  });

  it('reports missing fields and an input that is not a JSON Schema', () => {
    expect(problems({ input: { since: 1 }, steps: [] })).toEqual([
      { path: '/name', message: 'is required (expected a string)' },
      { path: '/steps', message: 'a task needs at least one step' },
      { path: '/input', message: 'expected a JSON Schema (an object with "type" or "properties"), got an object with neither' },
    ]);
    expect(problems(null)).toEqual([{ path: '', message: 'expected a task definition (an object with name and steps), got null' }]);
  });
});

describe('which steps a template may read', () => {
  it('lets a fallback read its failing step and earlier fallback steps, but not later main steps', () => {
    const def = {
      name: 't',
      steps: [
        { id: 'a', type: 'log' },
        {
          id: 'b',
          type: 'http',
          params: { url: 'x' },
          onError: [
            { id: 'b1', type: 'transform', params: { v: '{{ [steps.a.output, steps.b.error, error] }}' } },
            { id: 'b2', type: 'transform', params: { v: '{{ steps.b1.output }}', w: '{{ steps.c.output }}' } },
          ],
        },
        { id: 'c', type: 'transform', params: { v: '{{ steps.b2.output }} {{ steps.b.output }}' } },
      ],
    };
    expect(problems(def)).toEqual([{ path: '/steps/1/onError/1/params/w', message: 'references step "c", which runs later' }]);
  });

  it('lets onFailure steps read every main step, and the task output read them too', () => {
    valid({
      name: 't',
      steps: [{ id: 'a', type: 'log' }, { id: 'b', type: 'log' }],
      onFailure: [{ id: 'x', type: 'log', params: { m: '{{ steps.b.error }}' } }, { id: 'y', type: 'log', params: { m: '{{ steps.x.output }}' } }],
      output: { first: '{{ steps.a.output }}' },
    });
    expect(problems({ name: 't', steps: [{ id: 'a', type: 'log', params: { m: '{{ steps.x.output }}' } }], onFailure: [{ id: 'x', type: 'log' }] })).toEqual([
      { path: '/steps/0/params/m', message: 'references step "x", which runs later' },
    ]);
  });
});

describe('control-flow steps', () => {
  const loop = (extra: Record<string, unknown> = {}) => ({
    name: 'loop',
    steps: [
      { id: 'fetch', type: 'transform', params: { value: [1, 2] } },
      {
        id: 'each',
        type: 'foreach',
        items: '{{ steps.fetch.output }}',
        concurrency: 4,
        steps: [
          { id: 'a', type: 'transform', params: { value: '{{ item }}' } },
          { id: 'b', type: 'transform', params: { value: '{{ steps.a.output + steps.fetch.output[0] }}' } },
        ],
        ...extra,
      },
      { id: 'after', type: 'transform', params: { value: '{{ steps.each.output[1] }}' } },
    ],
  });

  it('accepts a foreach whose body reads its own earlier steps and the steps before the loop', () => {
    const step = valid(loop()).steps[1];
    expect(step).toMatchObject({ type: 'foreach', items: '{{ steps.fetch.output }}', concurrency: 4 });
    expect(step?.steps?.map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('accepts the control fields written inside params too, and lifts them out', () => {
    const def = valid({ name: 'p', steps: [{ id: 'each', type: 'foreach', params: { items: [1], steps: [{ id: 'x', type: 'log', params: { message: 'hi' } }] } }] });
    expect(def.steps[0]).toMatchObject({ items: [1], params: {} });
  });

  it('refuses what a loop cannot have, each problem at its path', () => {
    const found = problems({
      name: 'bad',
      steps: [
        { id: 'each', type: 'foreach', concurrency: 1000, steps: [], retry: { maxAttempts: 2 } },
        { id: 'call', type: 'transform', params: { value: 1 }, branches: [] },
        { id: 'sw', type: 'switch', cases: [{ steps: [{ id: 'z', type: 'log', params: { message: 'x' } }] }] },
      ],
    });
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/steps/0/items', '/steps/0/concurrency', '/steps/0/steps', '/steps/0/retry', '/steps/1/branches', '/steps/2/cases/0/when']),
    );
  });

  it('does not let later steps read steps inside a loop directly', () => {
    const def = loop();
    (def.steps[2] as { params: { value: string } }).params.value = '{{ steps.a.output }}';
    expect(problems(def)).toEqual([expect.objectContaining({ path: '/steps/2/params/value', message: expect.stringContaining('"a"') })]);
  });

  it('walks parallel branches and switch cases with their own visibility', () => {
    const def = valid({
      name: 'pw',
      steps: [
        { id: 'par', type: 'parallel', branches: [[{ id: 'p1', type: 'transform', params: { value: 1 } }], [{ id: 'p2', type: 'transform', params: { value: 2 } }]] },
        {
          id: 'sw',
          type: 'switch',
          cases: [{ when: 'steps.par.output[0] = 1', steps: [{ id: 'yes', type: 'transform', params: { value: '{{ steps.par.output }}' } }] }],
          default: [{ id: 'no', type: 'transform', params: { value: null } }],
        },
      ],
    });
    expect(def.steps[1]?.cases?.[0]?.when).toBe('{{ steps.par.output[0] = 1 }}');
    expect(problems({ name: 'x', steps: [{ id: 'par', type: 'parallel', branches: [[{ id: 'p1', type: 'transform', params: { value: '{{ steps.p2.output }}' } }], [{ id: 'p2', type: 'transform', params: { value: 2 } }]] }] })).toEqual([
      expect.objectContaining({ path: '/steps/0/branches/0/0/params/value' }),
    ]);
  });

  it('checks concurrency written inside params like on the step (a 0 would never start an iteration)', () => {
    const body = [{ id: 'x', type: 'log', params: { message: 'hi' } }];
    for (const concurrency of [0, 1000, 2.5, '4']) {
      expect(problems({ name: 'c', steps: [{ id: 'each', type: 'foreach', params: { items: [1], concurrency, steps: body } }] })).toEqual([
        expect.objectContaining({ path: '/steps/0/params/concurrency' }),
      ]);
    }
  });

  it('refuses retry and timeout on a task step (a re-run finds the same child)', () => {
    expect(problems({ name: 't', steps: [{ id: 's', type: 'task', params: { task: 'other' }, retry: { maxAttempts: 3 }, timeout: '2s' }] }).map((p) => p.path)).toEqual([
      '/steps/0/retry',
      '/steps/0/timeout',
    ]);
  });

  it('accepts a task-level timeout and checks the task step params', () => {
    expect(valid({ name: 't', timeout: '5m', steps: [{ id: 's', type: 'task', params: { task: 'other', input: {} } }] }).timeoutMs).toBe(300_000);
    expect(problems({ name: 't', steps: [{ id: 's', type: 'task', params: { wait: 'sometimes' } }] }).map((p) => p.path)).toEqual(['/steps/0/params/task', '/steps/0/params/wait']);
  });
});
