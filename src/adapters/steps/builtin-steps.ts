// The set of built-in step runners, for the composition root: http,
// transform, log, fail and storage.*. `delay` and control-flow steps are run
// by the engine and have no runner. Constructs runners; runs nothing.
import type { KvStore } from '../../ports/kv-store.js';
import type { StepRunner } from '../../ports/step-runner.js';
import { createFailStepRunner } from './fail-step.js';
import { createHttpStepRunner, type HttpStepOptions } from './http-step.js';
import { createLogStepRunner } from './log-step.js';
import { createStorageStepRunners } from './storage-steps.js';
import { createTransformStepRunner } from './transform-step.js';

export function createBuiltinStepRunners(deps: { kv: KvStore; http?: HttpStepOptions }): StepRunner[] {
  return [
    createHttpStepRunner(deps.http),
    createTransformStepRunner(),
    createLogStepRunner(),
    createFailStepRunner(),
    ...createStorageStepRunners(deps.kv),
  ];
}
