// A step type's implementation. Params arrive with every template already
// resolved. Runners throw StepError (with a kind) on failure and must honour
// the abort signal: when it fires, their I/O stops.
import type { JsonValue } from '../domain/json.js';
import type { Logger } from './logger.js';

export interface StepRunContext {
  executionId: string;
  stepId: string;
  path: string;
  attempt: number;
  /** Same for every attempt and re-run of this step in this execution. */
  idempotencyKey: string;
  signal: AbortSignal;
  logger: Logger;
  now(): number;
}

export interface StepRunner {
  readonly type: string;
  run(params: Record<string, JsonValue>, ctx: StepRunContext): Promise<JsonValue>;
}
