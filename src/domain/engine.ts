// The engine: a pure function from (definition, journal of committed attempts,
// now) to what happens next. It never runs anything and reads no clock; the
// worker asks it, does the work, commits the attempt and asks again. Replaying
// the same journal always gives the same decisions.
import type { StepDefinition, TaskDefinition } from './definition.js';
import type { ExecutionError, StepAttempt } from './execution.js';
import type { JsonValue } from './json.js';
import { retryDelayMs, shouldRetry } from './retry-backoff.js';
import type { StepErrorInfo } from './step-error.js';

/** What a later step sees of an earlier one as `steps.<id>`. */
export interface StepResult {
  output: JsonValue;
  status: 'succeeded' | 'failed' | 'skipped';
  error: StepErrorInfo | null;
  attempts: number;
}

/** The error a fallback or onFailure step sees as `error`. */
export interface ContextError extends StepErrorInfo {
  stepId: string;
}

/** The data visible to a step: earlier results, the previous output, the error being handled. */
export interface Scope {
  steps: Record<string, StepResult>;
  prev: JsonValue;
  error: ContextError | null;
}

export interface RunRequest {
  path: string;
  step: StepDefinition;
  attempt: number;
  scope: Scope;
}

export type Decision =
  | { type: 'run'; runs: RunRequest[] }
  | { type: 'wait'; until: number }
  | {
      type: 'complete';
      status: 'succeeded' | 'handled_failure' | 'failed';
      output: JsonValue;
      error: ExecutionError | null;
      /** The scope after the last step, for evaluating a task-level output template. */
      scope: Scope;
    };

export interface EngineState {
  executionId: string;
  journal: readonly StepAttempt[];
  now: number;
}

/** Path segment joining a step to its fallback list, and the onFailure root. */
export const FALLBACK_SEGMENT = 'fallback';
export const ON_FAILURE_ROOT = '@onFailure';

type ListOutcome =
  | { kind: 'blocked'; decision: Decision }
  | { kind: 'done'; scope: Scope; handled: boolean }
  | { kind: 'failed'; error: ContextError; scope: Scope };

type StepOutcome =
  | { kind: 'blocked'; decision: Decision }
  | { kind: 'done'; result: StepResult; handled: boolean }
  | { kind: 'failed'; error: ContextError };

class Journal {
  private readonly byPath = new Map<string, StepAttempt[]>();

  constructor(entries: readonly StepAttempt[]) {
    for (const e of entries) {
      const list = this.byPath.get(e.path);
      if (list) list.push(e);
      else this.byPath.set(e.path, [e]);
    }
    for (const list of this.byPath.values()) list.sort((a, b) => a.attempt - b.attempt);
  }

  latest(path: string): StepAttempt | undefined {
    const list = this.byPath.get(path);
    return list?.[list.length - 1];
  }
}

export function childPath(parent: string, id: string): string {
  return parent === '' ? id : `${parent}/${id}`;
}

export function decide(definition: TaskDefinition, state: EngineState): Decision {
  const journal = new Journal(state.journal);
  const root: Scope = { steps: {}, prev: null, error: null };
  const main = runList(definition.steps, '', root, journal, state);
  if (main.kind === 'blocked') return main.decision;
  if (main.kind === 'done') {
    return {
      type: 'complete',
      status: main.handled ? 'handled_failure' : 'succeeded',
      output: main.scope.prev,
      error: null,
      scope: main.scope,
    };
  }
  const failure: ExecutionError = { kind: main.error.kind, message: main.error.message, stepId: main.error.stepId };
  if (definition.onFailure && definition.onFailure.length > 0) {
    const handlerScope: Scope = { steps: { ...main.scope.steps }, prev: main.scope.prev, error: main.error };
    const handler = runList(definition.onFailure, ON_FAILURE_ROOT, handlerScope, journal, state);
    if (handler.kind === 'blocked') return handler.decision;
    // onFailure reports; it never turns a failed execution into a success.
  }
  return { type: 'complete', status: 'failed', output: null, error: failure, scope: main.scope };
}

function runList(steps: readonly StepDefinition[], basePath: string, parent: Scope, journal: Journal, state: EngineState): ListOutcome {
  const scope: Scope = { steps: { ...parent.steps }, prev: parent.prev, error: parent.error };
  let handled = false;
  for (const step of steps) {
    const path = childPath(basePath, step.id);
    const outcome = runStep(step, path, scope, journal, state);
    if (outcome.kind === 'blocked') return outcome;
    if (outcome.kind === 'failed') return { kind: 'failed', error: outcome.error, scope };
    scope.steps[step.id] = outcome.result;
    scope.prev = outcome.result.output;
    handled ||= outcome.handled;
  }
  return { kind: 'done', scope, handled };
}

function runStep(step: StepDefinition, path: string, scope: Scope, journal: Journal, state: EngineState): StepOutcome {
  const last = journal.latest(path);
  const run = (attempt: number): StepOutcome => ({
    kind: 'blocked',
    decision: { type: 'run', runs: [{ path, step, attempt, scope: snapshot(scope) }] },
  });
  if (!last) return run(1);

  switch (last.status) {
    case 'skipped':
      return { kind: 'done', result: { output: null, status: 'skipped', error: null, attempts: 0 }, handled: false };
    case 'succeeded':
      return { kind: 'done', result: { output: last.output, status: 'succeeded', error: null, attempts: last.attempt }, handled: false };
    case 'waiting': {
      const wakeAt = last.wakeAt ?? last.finishedAt;
      if (state.now < wakeAt) return { kind: 'blocked', decision: { type: 'wait', until: wakeAt } };
      // A finished wait needs no second commit: the marker and the clock say it is over.
      return { kind: 'done', result: { output: last.output, status: 'succeeded', error: null, attempts: last.attempt }, handled: false };
    }
    case 'failed':
      return afterFailure(step, path, last, scope, journal, state, run);
  }
}

function afterFailure(
  step: StepDefinition,
  path: string,
  last: StepAttempt,
  scope: Scope,
  journal: Journal,
  state: EngineState,
  run: (attempt: number) => StepOutcome,
): StepOutcome {
  const error = last.error ?? { kind: 'internal', message: 'step failed without an error record' };
  if (shouldRetry(step.retry, error, last.attempt) && step.retry) {
    const nextAt = last.finishedAt + retryDelayMs(step.retry, last.attempt, error, `${state.executionId}/${path}`);
    if (state.now < nextAt) return { kind: 'blocked', decision: { type: 'wait', until: nextAt } };
    return run(last.attempt + 1);
  }
  const contextError: ContextError = { ...error, stepId: step.id };
  const failedResult: StepResult = { output: null, status: 'failed', error, attempts: last.attempt };
  if (step.onError === 'continue') return { kind: 'done', result: failedResult, handled: true };
  if (step.onError === 'fail') return { kind: 'failed', error: contextError };

  const fallbackScope: Scope = { steps: { ...scope.steps, [step.id]: failedResult }, prev: scope.prev, error: contextError };
  const fallback = runList(step.onError, `${path}/${FALLBACK_SEGMENT}`, fallbackScope, journal, state);
  if (fallback.kind === 'blocked') return fallback;
  if (fallback.kind === 'failed') return { kind: 'failed', error: fallback.error };
  // The fallback's output stands for the step's.
  return { kind: 'done', result: { ...failedResult, output: fallback.scope.prev }, handled: true };
}

function snapshot(scope: Scope): Scope {
  return { steps: { ...scope.steps }, prev: scope.prev, error: scope.error };
}
