// The `fail` step: ends the step (and, unless handled, the execution) with
// kind `fail`, its `message` and optional `data`. It does nothing else.
import { stringifyJson } from '../../domain/json.js';
import { StepError } from '../../domain/step-error.js';
import type { StepRunner } from '../../ports/step-runner.js';

export function createFailStepRunner(): StepRunner {
  return {
    type: 'fail',
    run: async (params) => {
      const { message, data } = params;
      const text = typeof message === 'string' ? message : message == null ? 'failed by a fail step' : stringifyJson(message);
      throw new StepError('fail', text, data === undefined ? {} : { data });
    },
  };
}
