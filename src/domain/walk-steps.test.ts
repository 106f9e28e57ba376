import { describe, expect, it } from 'vitest';
import type { TaskDefinition } from './definition.js';
import { collectStepIds, findStep, walkSteps } from './walk-steps.js';

const definition: TaskDefinition = {
  name: 't',
  steps: [
    { id: 'a', type: 'log', params: {}, onError: 'fail' },
    {
      id: 'b',
      type: 'http',
      params: {},
      onError: [{ id: 'b1', type: 'log', params: {}, onError: [{ id: 'b1x', type: 'log', params: {}, onError: 'fail' }] }],
    },
  ],
  onFailure: [{ id: 'alert', type: 'http', params: {}, onError: 'continue' }],
};

describe('walkSteps', () => {
  it('visits every step in execution order with its pointer', () => {
    const seen: string[] = [];
    walkSteps(definition, (step, at) => seen.push(`${step.id} ${at.pointer} ${at.list} ${at.depth} ${at.parent?.id ?? '-'}`));
    expect(seen).toEqual([
      'a /steps/0 steps 0 -',
      'b /steps/1 steps 0 -',
      'b1 /steps/1/onError/0 onError 1 b',
      'b1x /steps/1/onError/0/onError/0 onError 2 b1',
      'alert /onFailure/0 onFailure 0 -',
    ]);
  });

  it('collects and finds step ids anywhere in the tree', () => {
    expect(collectStepIds(definition)).toEqual(['a', 'b', 'b1', 'b1x', 'alert']);
    expect(findStep(definition, 'b1x')?.location.pointer).toBe('/steps/1/onError/0/onError/0');
    expect(findStep(definition, 'zzz')).toBeUndefined();
  });
});
