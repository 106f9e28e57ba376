// One attempt of one step: evaluate `if`, resolve the params' templates, run
// the step type's runner under the step's timeout, and turn the outcome into
// a journal entry (redacted, size-capped). Control steps are "entered" here
// (their `if`, foreach items or switch case resolved once); `delay` and `task`
// (sub-task) are done here too. Returns null when the attempt was cut short by
// cancel, shutdown, a lost lease or the execution's timeout: nothing is
// committed then; `parked` when a sub-task is still running.
import type { RunRequest } from '../domain/engine.js';
import type { Execution, StepAttempt } from '../domain/execution.js';
import { evaluate } from '../domain/expressions.js';
import { parseDuration } from '../domain/duration.js';
import type { JsonValue } from '../domain/json.js';
import { StepError, StepTimeoutError, toStepErrorInfo, type StepErrorInfo } from '../domain/step-error.js';
import type { Logger } from '../ports/logger.js';
import type { AppDeps } from './deps.js';
import type { CompiledStep, CompiledTask } from './compiled-tasks.js';
import { ENTER_SEGMENT } from '../domain/engine.js';
import { MAX_ITERATIONS } from '../domain/definition-limits.js';
import type { EvaluateOptions } from '../domain/expressions.js';
import type { SubtaskStarter } from './start-subtask.js';
import { executionContext, jsonBytes } from './execution-context.js';
import { redactingLogger, type Redactor } from './redact-secrets.js';

/** A sub-task step whose child execution has not finished yet. */
export interface Parked {
  parked: true;
  /** The child execution the step waits for. */
  childId: string;
}
export type AttemptOutcome = StepAttempt | null | Parked;
export const isParked = (o: AttemptOutcome): o is Parked => o !== null && 'parked' in o;

export interface StepAttemptContext {
  execution: Execution;
  /** The first execution of this one's retry chain, for Idempotency-Keys. */
  keyRoot: string;
  task: CompiledTask;
  run: RunRequest;
  /** Aborted on cancel, shutdown or lease loss (not on step timeout). */
  signal: AbortSignal;
  logger: Logger;
  deps: AppDeps;
  redact: Redactor;
  subtasks: SubtaskStarter;
}

export async function runStepAttempt(c: StepAttemptContext): Promise<AttemptOutcome> {
  const { clock } = c.deps;
  const startedAt = clock.now();
  const base = { path: c.run.path, stepId: c.run.step.id, attempt: c.run.attempt, startedAt };
  const finish = (status: StepAttempt['status'], output: JsonValue, error: StepErrorInfo | null, wakeAt?: number, path = c.run.path): StepAttempt => {
    const entry: StepAttempt = {
      ...base,
      path,
      status,
      output: c.redact(output),
      error: error ? { ...error, message: c.redact(error.message), ...(error.data !== undefined ? { data: c.redact(error.data) } : {}) } : null,
      finishedAt: clock.now(),
    };
    if (wakeAt !== undefined) entry.wakeAt = wakeAt;
    return entry;
  };
  const evalOptions = { now: () => clock.now(), timeoutMs: c.deps.settings.expressionTimeoutMs };
  const context = {
    input: c.execution.input,
    steps: c.run.scope.steps,
    prev: c.run.scope.prev,
    error: c.run.scope.error,
    execution: executionContext(c.execution, c.run.attempt),
    secrets: c.deps.settings.secrets,
    ...(c.run.scope.item !== undefined ? { item: c.run.scope.item, index: c.run.scope.index ?? 0 } : {}),
  };
  const compiled = c.task.step(c.run.step);
  try {
    if (compiled.condition && !isTruthy(await evaluate(compiled.condition, context, evalOptions))) {
      return finish('skipped', null, null);
    }
    if (c.run.kind === 'enter') {
      const entry = await enterControl(c, compiled, context, evalOptions);
      const bytes = jsonBytes(entry);
      if (bytes > c.deps.settings.maxOutputBytes) {
        throw new StepError('output_too_large', `the ${c.run.step.type}'s resolved items are ${bytes} bytes, over the ${c.deps.settings.maxOutputBytes}-byte limit (TASKER_MAX_OUTPUT_BYTES): loop over ids and fetch each item inside the loop`);
      }
      return finish('succeeded', entry, null, undefined, `${c.run.path}/${ENTER_SEGMENT}`);
    }
    const params = (await evaluate(compiled.params, context, evalOptions)) as Record<string, JsonValue>;
    if (c.run.step.type === 'delay') {
      const wakeAt = delayWakeAt(params, startedAt);
      return finish('waiting', { waitedMs: Math.max(0, wakeAt - startedAt) }, null, wakeAt);
    }
    if (c.run.step.type === 'task') {
      const outcome = await runSubtask(c, params);
      return 'parked' in outcome ? outcome : finish('succeeded', outcome.output, null);
    }
    const output = await runWithTimeout(c, params);
    const bytes = jsonBytes(output);
    if (bytes > c.deps.settings.maxOutputBytes) {
      throw new StepError(
        'output_too_large',
        `step output is ${bytes} bytes, over the ${c.deps.settings.maxOutputBytes}-byte limit (TASKER_MAX_OUTPUT_BYTES); select the part you need in a transform or raise the limit`,
      );
    }
    return finish('succeeded', output, null);
  } catch (err) {
    if (c.signal.aborted) return null;
    const info = toStepErrorInfo(err);
    if (info.kind === 'internal') c.logger.error({ err }, 'step runner failed unexpectedly');
    return finish('failed', null, info);
  }
}

async function runWithTimeout(c: StepAttemptContext, params: Record<string, JsonValue>): Promise<JsonValue> {
  const runner = c.deps.runners.get(c.run.step.type);
  if (!runner) throw new StepError('internal', `no runner for step type '${c.run.step.type}'`);
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(c.signal.reason);
  c.signal.addEventListener('abort', onParentAbort, { once: true });
  const timeoutMs = c.run.step.timeoutMs;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new StepTimeoutError(timeoutMs)), timeoutMs);
  // A runner that ignores its signal still cannot outlive the deadline.
  let rejectOnAbort: (reason: unknown) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    rejectOnAbort = reject;
  });
  const onAbort = () => rejectOnAbort(controller.signal.reason);
  controller.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([
      runner.run(params, {
        executionId: c.execution.id,
        stepId: c.run.step.id,
        path: c.run.path,
        attempt: c.run.attempt,
        idempotencyKey: `${c.keyRoot}:${c.run.path}`,
        signal: controller.signal,
        logger: redactingLogger(c.logger, c.redact),
        now: () => c.deps.clock.now(),
      }),
      aborted,
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    c.signal.removeEventListener('abort', onParentAbort);
    controller.signal.removeEventListener('abort', onAbort);
  }
}

/** Resolves what a control step needs once: foreach's items, switch's case. */
async function enterControl(c: StepAttemptContext, compiled: CompiledStep, context: object, evalOptions: EvaluateOptions): Promise<JsonValue> {
  const step = c.run.step;
  if (step.type === 'foreach') {
    const items = compiled.items ? await evaluate(compiled.items, context, evalOptions) : null;
    if (!Array.isArray(items)) {
      throw new StepError('expression', `foreach items: expected a list, got ${items === null ? 'null' : typeof items === 'object' ? 'an object' : JSON.stringify(items)}`);
    }
    if (items.length > MAX_ITERATIONS) throw new StepError('limit', `foreach has ${items.length} items, the limit is ${MAX_ITERATIONS}`);
    return { items };
  }
  if (step.type === 'switch') {
    for (const [i, when] of compiled.cases.entries()) {
      if (isTruthy(await evaluate(when, context, evalOptions))) return { case: i };
    }
    return { case: step.default ? 'default' : null };
  }
  return {};
}

/** The `task` step: start (or find) the child execution; its output when it has finished, `parked` while it runs. */
async function runSubtask(c: StepAttemptContext, params: Record<string, JsonValue>): Promise<{ output: JsonValue } | Parked> {
  const child = await c.subtasks.startOrGet(c.execution, c.run.path, String(params['task']), params['input'] ?? {});
  if (params['wait'] === false) return { output: { executionId: child.id, status: child.status } };
  switch (child.status) {
    case 'succeeded':
    case 'handled_failure':
      return { output: child.output };
    case 'failed':
    case 'canceled':
    case 'timed_out':
      throw new StepError('subtask', `sub-task execution ${child.id} ended ${child.status}${child.error ? `: ${child.error.message}` : ''}`, {
        data: { executionId: child.id, status: child.status, error: child.error ? { ...child.error } : null },
      });
    default:
      return { parked: true, childId: child.id };
  }
}

function delayWakeAt(params: Record<string, JsonValue>, startedAt: number): number {
  if (params['until'] !== undefined && params['until'] !== null) {
    const at = typeof params['until'] === 'number' ? params['until'] : Date.parse(String(params['until']));
    if (!Number.isFinite(at)) throw new StepError('expression', `delay.until: expected an ISO-8601 instant, got ${JSON.stringify(String(params['until']))}`);
    return at;
  }
  const d = parseDuration(params['duration']);
  if (!d.ok) throw new StepError('expression', `delay.duration: ${d.message}`);
  return startedAt + d.ms;
}

/** `if` semantics: false, null, 0, "", "false" and [] skip the step. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null || value === false || value === 0 || value === '' || value === 'false') return false;
  if (typeof value === 'bigint') return value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
