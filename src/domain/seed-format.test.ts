import { describe, expect, it } from 'vitest';
import { fromSeedFormat, isSeedFormat } from './seed-format.js';
import type { StepCatalog } from './step-catalog.js';
import { validateDefinition } from './validate-definition.js';

const catalog: StepCatalog = { types: ['http', 'transform', 'storage.read', 'storage.write', 'storage.delete'] };

const seedTask = {
  name: 'seed-task',
  steps: [
    {
      id: 1,
      type: 'api_call',
      params: { url: 'http://127.0.0.1:3000/posts', method: 'GET', body: null, headers: { Accept: 'application/json' } },
      failure_step: { id: 2, type: 'storage_write', params: { key: 'failed', value: '{{ last_step_result }}' } },
    },
    { id: 2, type: 'storage_write', params: { key: 'posts', value: '{{ .last_step_result.body }}' }, failure_step: null },
    { id: 3, type: 'storage_read', params: { key: 'posts' }, failure_step: { type: 'transform', params: { value: 'x' } } },
  ],
};

describe('the seed format', () => {
  it('is recognised by numeric ids or failure_step, and the modern format is not', () => {
    expect(isSeedFormat(seedTask)).toBe(true);
    expect(isSeedFormat({ name: 'x', steps: [{ id: 'a', type: 'http', failure_step: null }] })).toBe(true);
    expect(isSeedFormat({ name: 'x', steps: [{ id: 'a', type: 'http' }] })).toBe(false);
  });

  it('is accepted as is and normalised: s1 ids, onError fallbacks, modern types, prev for last_step_result', () => {
    const r = validateDefinition(seedTask, catalog);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const [first, second, third] = r.definition.steps;
    expect(first).toMatchObject({ id: 's1', type: 'http', onError: [{ id: 's1_fallback', type: 'storage.write', params: { value: '{{ prev }}' }, onError: 'fail' }] });
    expect(second).toMatchObject({ id: 's2', type: 'storage.write', params: { value: '{{ prev.body }}' }, onError: 'fail' });
    expect(third).toMatchObject({ id: 's3', type: 'storage.read', onError: [{ id: 's3_fallback', type: 'transform' }] });
  });

  it('keeps a fallback numeric id when it is free', () => {
    const { value } = fromSeedFormat({ name: 't', steps: [{ id: 1, type: 'http', failure_step: { id: 9, type: 'http' } }] });
    expect(value['steps']).toEqual([{ id: 's1', type: 'http', onError: [{ id: 's9', type: 'http' }] }]);
  });

  it('reports problems at the paths of the document the user sent', () => {
    const r = validateDefinition({ name: 't', steps: [{ id: 1, type: 'api_call', params: {}, failure_step: { id: 5, type: 'nope', params: { v: '{{ ] }}' } } }] }, catalog);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path)).toEqual(['/steps/0/failure_step/type', '/steps/0/failure_step/params/v']);
  });
});
