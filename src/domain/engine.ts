// The engine: a pure function from (definition, journal of committed attempts,
// attempts in flight, now) to what happens next. It never runs anything and
// reads no clock; the worker asks it, starts what it says, commits each
// finished attempt and asks again. Replaying a journal gives the same answers.
//
// Paths address every step in the tree: `fetch`, `fetch/fallback/alert`,
// `@onFailure/alert`, `each/3/call` (iteration 3 of foreach `each`),
// `par/1/call` (branch 1), `sw/0/x` or `sw/default/x` (switch case). A
// control step also has an `<path>/@enter` entry (its `if`, its items or its
// chosen case, resolved once) and, when done, an entry at its own path
// recording its result.
import { isControlStep, type StepDefinition, type TaskDefinition } from './definition.js';
import { MAX_ITERATIONS, MAX_JOURNAL_ENTRIES } from './definition-limits.js';
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

/** The data visible to a step: earlier results, the previous output, the error being handled, the loop item. */
export interface Scope {
  steps: Record<string, StepResult>;
  prev: JsonValue;
  error: ContextError | null;
  item?: JsonValue;
  index?: number;
}

/**
 * Work to start. `step`: an attempt of a step. `enter`: resolve a control
 * step's `if` and its items (foreach) or case (switch), committed at
 * `<path>/@enter` (or as `skipped` at the step's path).
 */
export interface RunRequest {
  kind: 'step' | 'enter';
  path: string;
  step: StepDefinition;
  attempt: number;
  scope: Scope;
}

/** A control step's result, derived from its children, to commit at its path. */
export interface RecordRequest {
  path: string;
  step: StepDefinition;
  status: 'succeeded' | 'failed';
  output: JsonValue;
  error: StepErrorInfo | null;
}

export interface Completion {
  status: 'succeeded' | 'handled_failure' | 'failed' | 'timed_out';
  output: JsonValue;
  error: ExecutionError | null;
  /** The scope after the last step, for evaluating a task-level output template. */
  scope: Scope;
}

export interface Decision {
  runs: RunRequest[];
  records: RecordRequest[];
  /** The earliest instant a wait (retry back-off, delay) ends, if anything waits. */
  wakeAt: number | null;
  complete: Completion | null;
}

export interface EngineState {
  executionId: string;
  /** The committed attempts; a JournalIndex kept across decisions makes each one cheap. */
  journal: readonly StepAttempt[] | JournalIndex;
  now: number;
  /** Paths with an attempt in flight: not started again, counted as busy. */
  running?: ReadonlySet<string>;
  /** The execution's deadline (task timeout), if any. */
  deadline?: number | null;
}

export const FALLBACK_SEGMENT = 'fallback';
export const ON_FAILURE_ROOT = '@onFailure';
export const ENTER_SEGMENT = '@enter';

/** The finished iterations at the start of a foreach, remembered between decisions. */
interface LoopPrefix {
  done: number;
  outputs: JsonValue[];
  handled: boolean;
}

/**
 * The journal as the engine reads it: the latest attempt at each path. A
 * worker keeps one per drive and appends to it, so a decision costs what
 * changed, not the whole history: a foreach's finished leading iterations
 * are remembered (they can never change: the journal only grows, and a
 * finished iteration stays finished as time moves on).
 */
export class JournalIndex {
  private readonly latestByPath = new Map<string, StepAttempt>();
  private count = 0;
  /** Derived, never authoritative: the finished prefix of each foreach. */
  readonly loops = new Map<string, LoopPrefix>();

  constructor(entries: readonly StepAttempt[] = []) {
    for (const e of entries) this.append(e);
  }

  append(e: StepAttempt): void {
    this.count++;
    const seen = this.latestByPath.get(e.path);
    if (!seen || e.attempt >= seen.attempt) this.latestByPath.set(e.path, e);
    // Remember the highest iteration/branch index seen under each control step.
    const segments = e.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const segment = segments[i] as string;
      if (!/^\d+$/.test(segment)) continue;
      const owner = segments.slice(0, i).join('/');
      const index = Number(segment);
      if ((this.highestIndex.get(owner) ?? -1) < index) this.highestIndex.set(owner, index);
    }
  }

  /** The highest child index with any attempt under a control step's path, or -1. */
  highestChild(path: string): number {
    return this.highestIndex.get(path) ?? -1;
  }

  private readonly highestIndex = new Map<string, number>();

  latest(path: string): StepAttempt | undefined {
    return this.latestByPath.get(path);
  }

  get size(): number {
    return this.count;
  }
}

/** Collects what a pass over the tree found to do. */
class Collector {
  runs: RunRequest[] = [];
  records: RecordRequest[] = [];
  wakeAt: number | null = null;

  wait(until: number): void {
    this.wakeAt = this.wakeAt === null ? until : Math.min(this.wakeAt, until);
  }

  merge(other: Collector): void {
    this.runs.push(...other.runs);
    this.records.push(...other.records);
    if (other.wakeAt !== null) this.wait(other.wakeAt);
  }
}

type ListOutcome =
  | { kind: 'pending' }
  | { kind: 'done'; scope: Scope; handled: boolean }
  | { kind: 'failed'; error: ContextError; scope: Scope };

type StepOutcome =
  | { kind: 'pending' }
  /** `extra`: results of fallback steps that ran for this step; later steps may read them too. */
  | { kind: 'done'; result: StepResult; handled: boolean; extra?: Record<string, StepResult> }
  | { kind: 'failed'; error: ContextError };

interface Pass {
  journal: JournalIndex;
  state: EngineState;
  running: ReadonlySet<string>;
}

export function childPath(parent: string, id: string): string {
  return parent === '' ? id : `${parent}/${id}`;
}

export function decide(definition: TaskDefinition, state: EngineState): Decision {
  const journal = state.journal instanceof JournalIndex ? state.journal : new JournalIndex(state.journal);
  const pass: Pass = { journal, state, running: state.running ?? new Set() };
  const out = new Collector();
  const root: Scope = { steps: {}, prev: null, error: null };
  const decision = (complete: Completion | null): Decision => ({ runs: out.runs, records: out.records, wakeAt: out.wakeAt, complete });

  if (state.deadline != null && state.now >= state.deadline) {
    return { runs: [], records: [], wakeAt: null, complete: { status: 'timed_out', output: null, error: { kind: 'timeout', message: 'the execution ran past its timeout' }, scope: root } };
  }
  if (journal.size >= MAX_JOURNAL_ENTRIES) {
    const message = `the execution committed ${journal.size} step attempts, the limit is ${MAX_JOURNAL_ENTRIES}`;
    return { runs: [], records: [], wakeAt: null, complete: { status: 'failed', output: null, error: { kind: 'limit', message }, scope: root } };
  }

  const main = runList(definition.steps, '', root, pass, out);
  if (main.kind === 'pending') return decision(null);
  if (main.kind === 'done') {
    return decision({ status: main.handled ? 'handled_failure' : 'succeeded', output: main.scope.prev, error: null, scope: main.scope });
  }
  const failure: ExecutionError = { kind: main.error.kind, message: main.error.message, stepId: main.error.stepId };
  if (definition.onFailure && definition.onFailure.length > 0) {
    const handlerScope: Scope = { steps: { ...main.scope.steps }, prev: main.scope.prev, error: main.error };
    const handler = runList(definition.onFailure, ON_FAILURE_ROOT, handlerScope, pass, out);
    if (handler.kind === 'pending') return decision(null);
    // onFailure reports; it never turns a failed execution into a success.
  }
  return decision({ status: 'failed', output: null, error: failure, scope: main.scope });
}

function runList(steps: readonly StepDefinition[], basePath: string, parent: Scope, pass: Pass, out: Collector): ListOutcome {
  const scope: Scope = { ...parent, steps: { ...parent.steps } };
  let handled = false;
  for (const step of steps) {
    const outcome = runStep(step, childPath(basePath, step.id), scope, pass, out);
    if (outcome.kind === 'pending') return outcome;
    if (outcome.kind === 'failed') return { kind: 'failed', error: outcome.error, scope };
    if (outcome.extra) Object.assign(scope.steps, outcome.extra);
    scope.steps[step.id] = outcome.result;
    scope.prev = outcome.result.output;
    handled ||= outcome.handled;
  }
  return { kind: 'done', scope, handled };
}

function runStep(step: StepDefinition, path: string, scope: Scope, pass: Pass, out: Collector): StepOutcome {
  const last = pass.journal.latest(path);
  const run = (attempt: number, kind: RunRequest['kind'] = 'step'): StepOutcome => {
    if (!pass.running.has(path)) out.runs.push({ kind, path, step, attempt, scope: snapshot(scope) });
    return { kind: 'pending' };
  };
  if (!last) return isControlStep(step.type) ? enterControl(step, path, scope, pass, out) : run(1);

  switch (last.status) {
    case 'skipped':
      return { kind: 'done', result: { output: null, status: 'skipped', error: null, attempts: 0 }, handled: false };
    case 'succeeded':
      // A control step's record carries an error when inner failures were handled (continue, fallback).
      return { kind: 'done', result: { output: last.output, status: 'succeeded', error: null, attempts: last.attempt }, handled: last.error !== null };
    case 'waiting': {
      const wakeAt = last.wakeAt ?? last.finishedAt;
      if (pass.state.now < wakeAt) {
        out.wait(wakeAt);
        return { kind: 'pending' };
      }
      // A finished wait needs no second commit: the marker and the clock say it is over.
      return { kind: 'done', result: { output: last.output, status: 'succeeded', error: null, attempts: last.attempt }, handled: false };
    }
    case 'failed':
      return afterFailure(step, path, last, scope, pass, out, run);
  }
}

function afterFailure(
  step: StepDefinition,
  path: string,
  last: StepAttempt,
  scope: Scope,
  pass: Pass,
  out: Collector,
  run: (attempt: number) => StepOutcome,
): StepOutcome {
  const error = last.error ?? { kind: 'internal', message: 'step failed without an error record' };
  if (step.retry && shouldRetry(step.retry, error, last.attempt)) {
    const nextAt = last.finishedAt + retryDelayMs(step.retry, last.attempt, error, `${pass.state.executionId}/${path}`);
    if (pass.state.now < nextAt) {
      out.wait(nextAt);
      return { kind: 'pending' };
    }
    return run(last.attempt + 1);
  }
  // A control step's recorded error names the inner step that failed.
  const contextError: ContextError = { ...error, stepId: error.stepId ?? step.id };
  const failedResult: StepResult = { output: null, status: 'failed', error, attempts: last.attempt };
  if (step.onError === 'continue') return { kind: 'done', result: failedResult, handled: true };
  if (step.onError === 'fail') return { kind: 'failed', error: contextError };

  const fallbackScope: Scope = { ...scope, steps: { ...scope.steps, [step.id]: failedResult }, error: contextError };
  const fallback = runList(step.onError, `${path}/${FALLBACK_SEGMENT}`, fallbackScope, pass, out);
  if (fallback.kind === 'pending') return fallback;
  if (fallback.kind === 'failed') return { kind: 'failed', error: fallback.error };
  // The fallback's output stands for the step's; its steps stay readable by later steps.
  const extra: Record<string, StepResult> = {};
  for (const [id, result] of Object.entries(fallback.scope.steps)) if (!(id in fallbackScope.steps)) extra[id] = result;
  return { kind: 'done', result: { ...failedResult, output: fallback.scope.prev }, handled: true, extra };
}

/** A control step without a recorded result: resolve its entry, then walk its children. */
function enterControl(step: StepDefinition, path: string, scope: Scope, pass: Pass, out: Collector): StepOutcome {
  const enterPath = `${path}/${ENTER_SEGMENT}`;
  const entered = pass.journal.latest(enterPath);
  if (!entered) {
    if (!pass.running.has(enterPath)) out.runs.push({ kind: 'enter', path, step, attempt: 1, scope: snapshot(scope) });
    return { kind: 'pending' };
  }
  const entry = (entered.output ?? {}) as { [key: string]: JsonValue };
  const local = new Collector();
  const children: ChildrenOutcome = step.type === 'foreach' ? foreachChildren(step, path, scope, entry, pass, local) : step.type === 'parallel' ? parallelChildren(step, path, scope, pass, local) : switchChildren(step, path, scope, entry, pass, local);
  if (children.kind === 'pending') {
    out.merge(local);
    return { kind: 'pending' };
  }
  // Done or failed: record the step's result (work found alongside a failure is dropped: fail fast).
  if (!pass.running.has(path)) {
    out.records.push(
      children.kind === 'done'
        ? { path, step, status: 'succeeded', output: children.output, error: children.handled ? HANDLED_INSIDE : null }
        : { path, step, status: 'failed', output: null, error: children.error },
    );
  }
  return { kind: 'pending' };
}

type ChildrenOutcome = { kind: 'pending' } | { kind: 'done'; output: JsonValue; handled: boolean } | { kind: 'failed'; error: ContextError };

/** Marks a control step that succeeded although steps inside it failed and were handled. */
export const HANDLED_INSIDE: StepErrorInfo = { kind: 'handled', message: 'steps inside failed and were handled (onError continue or fallback)' };

function foreachChildren(step: StepDefinition, path: string, scope: Scope, entry: { [key: string]: JsonValue }, pass: Pass, out: Collector): ChildrenOutcome {
  const items = Array.isArray(entry['items']) ? entry['items'] : [];
  if (items.length > MAX_ITERATIONS) {
    return { kind: 'failed', error: { kind: 'limit', message: `foreach has ${items.length} items, the limit is ${MAX_ITERATIONS}`, stepId: step.id } };
  }
  const body = step.steps ?? [];
  const concurrency = step.concurrency ?? 1;
  let prefix = pass.journal.loops.get(path);
  if (!prefix) {
    prefix = { done: 0, outputs: [], handled: false };
    pass.journal.loops.set(path, prefix);
  }
  const later: JsonValue[] = [];
  let handled = prefix.handled;
  let active = 0;
  let allDone = true;
  for (let index = prefix.done; index < items.length; index++) {
    const base = `${path}/${index}`;
    if (!hasStarted(base, body, pass) && active >= concurrency) {
      allDone = false;
      // Iterations start in order: past the last one with any attempt, none can have begun.
      if (index > pass.journal.highestChild(path)) break;
      continue;
    }
    const iterationScope: Scope = { ...scope, steps: { ...scope.steps }, item: items[index] as JsonValue, index };
    const iteration = runList(body, base, iterationScope, pass, out);
    if (iteration.kind === 'failed') return { kind: 'failed', error: iteration.error };
    if (iteration.kind === 'pending') {
      active++;
      allDone = false;
      continue;
    }
    handled ||= iteration.handled;
    if (allDone && index === prefix.done) {
      // Extend the remembered prefix of finished iterations.
      prefix.outputs.push(iteration.scope.prev);
      prefix.done++;
      prefix.handled ||= iteration.handled;
    } else later[index - prefix.done] = iteration.scope.prev;
  }
  return allDone ? { kind: 'done', output: [...prefix.outputs, ...later], handled } : { kind: 'pending' };
}

function parallelChildren(step: StepDefinition, path: string, scope: Scope, pass: Pass, out: Collector): ChildrenOutcome {
  const outputs: JsonValue[] = [];
  let allDone = true;
  let handled = false;
  let failure: ContextError | undefined;
  for (const [b, branch] of (step.branches ?? []).entries()) {
    const outcome = runList(branch, `${path}/${b}`, scope, pass, out);
    if (outcome.kind === 'done') {
      outputs[b] = outcome.scope.prev;
      handled ||= outcome.handled;
      continue;
    }
    allDone = false;
    if (outcome.kind === 'failed') failure ??= outcome.error;
  }
  if (failure) return { kind: 'failed', error: failure };
  return allDone ? { kind: 'done', output: outputs, handled } : { kind: 'pending' };
}

function switchChildren(step: StepDefinition, path: string, scope: Scope, entry: { [key: string]: JsonValue }, pass: Pass, out: Collector): ChildrenOutcome {
  const chosen = entry['case'];
  const list = typeof chosen === 'number' ? step.cases?.[chosen]?.steps : chosen === 'default' ? step.default : undefined;
  if (!list) return { kind: 'done', output: null, handled: false };
  const outcome = runList(list, `${path}/${String(chosen)}`, scope, pass, out);
  if (outcome.kind === 'pending') return outcome;
  if (outcome.kind === 'failed') return { kind: 'failed', error: outcome.error };
  return { kind: 'done', output: outcome.scope.prev, handled: outcome.handled };
}

/** Whether an iteration has begun: an attempt committed or in flight under its path. */
function hasStarted(base: string, steps: readonly StepDefinition[], pass: Pass): boolean {
  const first = steps[0];
  if (!first) return false;
  const path = childPath(base, first.id);
  const enter = `${path}/${ENTER_SEGMENT}`;
  return pass.journal.latest(path) !== undefined || pass.journal.latest(enter) !== undefined || pass.running.has(path) || pass.running.has(enter);
}

function snapshot(scope: Scope): Scope {
  return { ...scope, steps: { ...scope.steps } };
}
