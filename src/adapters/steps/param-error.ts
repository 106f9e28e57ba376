// The error a runner throws when a resolved param is unusable (a template
// produced a number where a URL was expected, say). Static values are caught
// earlier by step-param-checks.ts; this covers what only templates can produce.
// Kind `expression`: the params came from expressions, and retrying won't help.
import { StepError } from '../../domain/step-error.js';

export function paramError(name: string, message: string): StepError {
  return new StepError('expression', `params.${name}: ${message}`);
}
