// The `transform` step: its output is its `value` param, already resolved by
// the expression layer. It computes nothing itself and has no side effects.
import type { StepRunner } from '../../ports/step-runner.js';

export function createTransformStepRunner(): StepRunner {
  return {
    type: 'transform',
    run: async (params) => params.value ?? null,
  };
}
