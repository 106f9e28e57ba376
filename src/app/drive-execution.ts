// The worker's loop for one execution: claim the lease, ask the engine what
// is next, start it (several attempts at once for foreach and parallel),
// commit each finished attempt as it finishes, ask again. When nothing is in
// flight and the engine says wait (delay, retry back-off, a sub-task still
// running), release the execution (it holds no worker while waiting) and
// enqueue it for later. Must not: commit anything after losing the lease, or
// record a failure caused by this process shutting down (the next start
// resumes instead).
import { decide, ENTER_SEGMENT, JournalIndex, type Completion, type RecordRequest, type RunRequest } from '../domain/engine.js';
import type { StepDefinition } from '../domain/definition.js';
import { isFinished, type Execution, type StepAttempt } from '../domain/execution.js';
import { retryDelayMs, shouldRetry } from '../domain/retry-backoff.js';
import { evaluate } from '../domain/expressions.js';
import type { JsonValue } from '../domain/json.js';
import { TaskerError } from '../domain/errors.js';
import { toStepErrorInfo } from '../domain/step-error.js';
import type { Logger } from '../ports/logger.js';
import type { AppDeps } from './deps.js';
import type { CompiledTask, CompiledTaskCache } from './compiled-tasks.js';
import { executionContext, jsonBytes } from './execution-context.js';
import { stringifyJson } from '../domain/json.js';
import { canonicalJson } from './start-execution.js';
import type { InFlight } from './in-flight.js';
import type { Redactor } from './redact-secrets.js';
import { isParked, runStepAttempt, type AttemptOutcome, type StepAttemptContext } from './run-step-attempt.js';
import { parentOf, type SubtaskStarter } from './start-subtask.js';
import type { CancelExecution } from './cancel-execution.js';

/** What the driver needs to keep sub-tasks from outliving their parent. */
type ChildCanceler = Pick<CancelExecution, 'cancel' | 'cancelChildrenOf' | 'isOrphan'>;

/** Why a drive stopped early without finishing the execution. */
class LeaseLost extends Error {
  constructor() {
    super('the lease on this execution was lost');
    this.name = 'LeaseLost';
  }
}

/** Aborts the attempts in flight when the execution's deadline passes. */
export class ExecutionTimedOut extends Error {
  constructor() {
    super('the execution ran past its timeout');
    this.name = 'ExecutionTimedOut';
  }
}

const RETRY_AFTER_INFRA_ERROR_MS = 5_000;
/** A parent waiting for a sub-task is woken when the child ends; this is the safety net. */
const SUBTASK_POLL_MS = 30_000;

interface Running {
  promise: Promise<void>;
  controller: AbortController;
}

export class ExecutionDriver {
  constructor(
    private readonly deps: AppDeps,
    private readonly cache: CompiledTaskCache,
    private readonly inFlight: InFlight,
    private readonly redact: Redactor,
    private readonly subtasks: SubtaskStarter,
    private readonly owner: string,
    private readonly children: ChildCanceler,
  ) {}

  async drive(executionId: string): Promise<void> {
    const { executions, clock, settings } = this.deps;
    // Most executions are fresh API starts: take the lease and start them in one write.
    const startedNow = await executions.claimToStart(executionId, this.owner, clock.now(), settings.leaseMs);
    const claimed = startedNow ?? (await executions.claim(executionId, this.owner, clock.now(), settings.leaseMs));
    if (!claimed) return;
    const log = this.deps.logger.child({ executionId });
    const controller = this.inFlight.begin(executionId);
    const renew = setInterval(() => {
      executions
        .renewLease(executionId, this.owner, clock.now(), settings.leaseMs)
        .then((held) => {
          if (!held) controller.abort(new LeaseLost());
        })
        .catch((err: unknown) => log.warn({ err }, 'lease renewal failed'));
    }, Math.max(50, Math.floor(settings.leaseMs / 3)));
    try {
      await this.loop(claimed, controller, log, startedNow !== null);
    } catch (err) {
      if (controller.signal.aborted) {
        log.info({ reason: String(controller.signal.reason) }, 'execution drive stopped');
      } else if (err instanceof TaskerError && err.code === 'TASK_VERSION_NOT_FOUND') {
        // The task was deleted under a running execution: it can never go on.
        log.error({ err }, 'execution failed: its task version no longer exists');
        await this.finish(claimed, { status: 'failed', output: null, error: { kind: 'internal', message: err.message } }, log);
      } else {
        // Infrastructure trouble (database): hand the execution back and look again soon; never lose it.
        log.error({ err }, 'execution drive failed; will retry');
        await this.handBack(executionId, RETRY_AFTER_INFRA_ERROR_MS, log);
      }
    } finally {
      clearInterval(renew);
      this.inFlight.end(executionId, controller);
    }
  }

  /** `startedByClaim`: claimToStart already made this execution running (its first start). */
  private async loop(execution: Execution, drive: AbortController, log: Logger, startedByClaim: boolean): Promise<void> {
    const { executions, clock, events } = this.deps;
    if (execution.trigger === 'subtask' && (await this.children.isOrphan(execution))) {
      await this.children.cancel(execution.id, `its parent execution ${parentOf(execution) ?? ''} has ended`);
      return;
    }
    if (await this.heldByQueuePolicy(execution)) {
      await executions.release(execution.id, this.owner, {});
      return;
    }
    const task = await this.cache.get(execution.taskId, execution.taskVersion);
    // Attempts are only committed once an execution has started, except the
    // ones a retry seeds before its first start: a first start of anything
    // else has an empty journal, and need not read it.
    const journalKnownEmpty = (startedByClaim || execution.startedAt === null) && execution.retryOf === null;
    if (startedByClaim) {
      events.emit('execution.started', { execution });
    } else if (execution.status !== 'running') {
      const firstStart = execution.startedAt === null;
      const startedAt = execution.startedAt ?? clock.now();
      if (!(await executions.transition(execution.id, this.owner, { status: 'running', startedAt, wakeAt: null }))) return;
      execution = { ...execution, status: 'running', startedAt, wakeAt: null };
      if (firstStart) events.emit('execution.started', { execution });
    }
    const timeoutMs = task.definition.timeoutMs;
    const deadline = timeoutMs !== undefined && execution.startedAt !== null ? execution.startedAt + timeoutMs : null;
    const journal = new JournalIndex(journalKnownEmpty ? [] : await executions.attempts(execution.id));
    const keyRoot = await this.retryRoot(execution);
    const running = new Map<string, Running>();
    const parked = new Set<string>();
    const children = new Set<string>();
    let wake: () => void = () => {};
    let commitRefused = false;
    const deadlineTimer =
      deadline === null
        ? undefined
        : setTimeout(() => {
            for (const r of running.values()) r.controller.abort(new ExecutionTimedOut());
            wake();
          }, Math.max(0, deadline - clock.now()));

    const commit = async (attempt: StepAttempt, step?: StepDefinition): Promise<void> => {
      if (commitRefused) return;
      if (!(await executions.appendAttempt(execution.id, this.owner, attempt))) {
        commitRefused = true;
        log.info({ path: attempt.path }, 'attempt not committed: lease lost or execution ended');
        return;
      }
      journal.append(attempt);
      if (attempt.path.endsWith(`/${ENTER_SEGMENT}`)) return;
      const retrying = attempt.status === 'failed' && attempt.error && step?.retry && shouldRetry(step.retry, attempt.error, attempt.attempt);
      const willRetryAt = retrying && step?.retry && attempt.error ? attempt.finishedAt + retryDelayMs(step.retry, attempt.attempt, attempt.error, `${execution.id}/${attempt.path}`) : null;
      events.emit('step.finished', { executionId: execution.id, attempt, willRetryAt });
    };

    const start = (run: RunRequest): void => {
      const key = run.kind === 'enter' ? `${run.path}/${ENTER_SEGMENT}` : run.path;
      const attemptController = new AbortController();
      const onDriveAbort = () => attemptController.abort(drive.signal.reason);
      drive.signal.addEventListener('abort', onDriveAbort, { once: true });
      const promise = this.attempt(execution, task, run, attemptController.signal, log, keyRoot)
        .then(async (outcome) => {
          if (isParked(outcome)) {
            parked.add(key);
            children.add(outcome.childId);
          } else if (outcome) await commit(outcome, run.step);
        })
        .catch((err: unknown) => {
          log.error({ err, path: run.path }, 'attempt could not be committed');
          commitRefused = true;
        })
        .finally(() => {
          drive.signal.removeEventListener('abort', onDriveAbort);
          running.delete(key);
          wake();
        });
      running.set(key, { promise, controller: attemptController });
    };

    try {
      for (;;) {
        if (drive.signal.aborted || commitRefused) {
          // Nothing more can be committed: stop the work still in flight.
          for (const r of running.values()) r.controller.abort(drive.signal.reason ?? new LeaseLost());
          await Promise.all([...running.values()].map((r) => r.promise));
          if (commitRefused && !drive.signal.aborted) return;
          return this.stopEarly(execution.id, drive.signal, log);
        }
        const now = clock.now();
        const decision = decide(task.definition, { executionId: execution.id, journal, now, running: new Set([...running.keys(), ...parked]), deadline });
        if (decision.complete) {
          // Fail-fast or timeout: attempts still in flight are no longer wanted.
          for (const r of running.values()) r.controller.abort(new ExecutionTimedOut());
          await Promise.all([...running.values()].map((r) => r.promise));
          await this.complete(execution, task, decision.complete, log);
          return;
        }
        if (decision.records.length > 0) {
          for (const record of decision.records) {
            const entry = capRecord(recordAttempt(record, now), this.deps.settings.maxOutputBytes);
            await commit(entry);
            // Fail-fast: once a loop or parallel has failed, its iterations still in flight are not wanted.
            if (entry.status === 'failed') {
              for (const [key, r] of running) if (key.startsWith(`${record.path}/`)) r.controller.abort(new ExecutionTimedOut());
            }
          }
          continue;
        }
        for (const run of decision.runs) start(run);
        if (running.size === 0) {
          const candidates = [decision.wakeAt, parked.size > 0 ? now + SUBTASK_POLL_MS : null, deadline].filter((t): t is number => t !== null);
          if (candidates.length === 0) {
            // Never hand back an execution that cannot move: that would retry it forever.
            log.error({}, 'the engine found nothing to run, wait for or finish');
            await this.finish(execution, { status: 'failed', output: null, error: { kind: 'internal', message: 'the execution cannot make progress (nothing to run or wait for); this is a bug, please report it' } }, log);
            return;
          }
          await this.wait(execution, Math.min(...candidates));
          // A child that ended while this drive held the lease could not wake
          // it (its wake found the lease taken): look once more now it is released.
          await this.wakeIfChildEnded(execution.id, children);
          return;
        }
        // Something runs: go round again when it finishes or when a wait ends.
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (decision.wakeAt !== null) setTimeout(resolve, Math.max(0, decision.wakeAt - clock.now())).unref();
        });
      }
    } finally {
      clearTimeout(deadlineTimer);
    }
  }

  private attempt(execution: Execution, task: CompiledTask, run: RunRequest, signal: AbortSignal, log: Logger, keyRoot: string): Promise<AttemptOutcome> {
    const context: StepAttemptContext = {
      execution,
      keyRoot,
      task,
      run,
      signal,
      logger: log.child({ stepId: run.step.id, path: run.path }),
      deps: this.deps,
      redact: this.redact,
      subtasks: this.subtasks,
    };
    if (run.kind === 'step') this.deps.events.emit('step.started', { executionId: execution.id, path: run.path, stepId: run.step.id, attempt: run.attempt });
    return runStepAttempt(context);
  }

  /**
   * The first execution of a retry chain with the same input: Idempotency-Keys
   * stay the same on every re-run of a step. A retry with a new input is a
   * new request, so its keys are its own.
   */
  private async retryRoot(execution: Execution): Promise<string> {
    let current = execution;
    for (let hops = 0; current.retryOf && hops < 100; hops++) {
      const previous = await this.deps.executions.get(current.retryOf);
      if (!previous || stringifyJson(canonicalJson(previous.input)) !== stringifyJson(canonicalJson(current.input))) break;
      current = previous;
    }
    return current.id;
  }

  private async wakeIfChildEnded(executionId: string, children: ReadonlySet<string>): Promise<void> {
    for (const childId of children) {
      const child = await this.deps.executions.get(childId);
      if (child && isFinished(child.status)) {
        await this.deps.queue.enqueue(executionId);
        return;
      }
    }
  }

  private async wait(execution: Execution, until: number): Promise<void> {
    const { executions, queue } = this.deps;
    if (!(await executions.release(execution.id, this.owner, { status: 'waiting', wakeAt: until }))) return;
    await queue.enqueue(execution.id, until);
  }

  private async complete(execution: Execution, task: CompiledTask, completion: Completion, log: Logger): Promise<void> {
    const { clock, settings } = this.deps;
    let { status, output, error } = completion;
    if ((status === 'succeeded' || status === 'handled_failure') && task.output) {
      try {
        output = await evaluate(task.output, this.contextFor(execution, completion.scope), { now: () => clock.now(), timeoutMs: settings.expressionTimeoutMs });
      } catch (err) {
        const info = toStepErrorInfo(err);
        status = 'failed';
        output = null;
        error = { kind: info.kind, message: `task output: ${info.message}` };
      }
    }
    await this.finish(execution, { status, output, error }, log);
    if (task.startsSubtasks) await this.children.cancelChildrenOf({ id: execution.id, status });
  }

  private async finish(execution: Execution, result: Pick<Completion, 'status' | 'output' | 'error'>, log: Logger): Promise<void> {
    const { executions, clock, events } = this.deps;
    const output = this.redact(result.output);
    const error = result.error ? { ...result.error, message: this.redact(result.error.message) } : null;
    const patch = { status: result.status, output, error, finishedAt: clock.now(), wakeAt: null };
    if (!(await executions.release(execution.id, this.owner, patch))) return;
    log.info({ status: result.status }, 'execution finished');
    events.emit('execution.finished', { execution: { ...execution, ...patch } });
    if (execution.scheduleId) await this.releaseQueuedSibling(execution.scheduleId, execution.id);
    const parentId = parentOf(execution);
    if (parentId) await this.deps.queue.enqueue(parentId);
  }

  private contextFor(execution: Execution, scope: { steps: Record<string, unknown>; prev: JsonValue }): Record<string, unknown> {
    return { input: execution.input, steps: scope.steps, prev: scope.prev, execution: executionContext(execution, 1), secrets: this.deps.settings.secrets };
  }

  /** With overlap `queue`, a pending run waits until the schedule's running one ends. */
  private async heldByQueuePolicy(execution: Execution): Promise<boolean> {
    if (execution.status !== 'queued' || !execution.scheduleId || execution.trigger !== 'schedule') return false;
    const schedule = await this.deps.schedules.get(execution.scheduleId);
    if (!schedule || schedule.overlap !== 'queue') return false;
    const active = await this.deps.executions.listActiveForSchedule(execution.scheduleId);
    return active.some((e) => e.id !== execution.id && e.status !== 'queued');
  }

  private async releaseQueuedSibling(scheduleId: string, finishedId: string): Promise<void> {
    const active = await this.deps.executions.listActiveForSchedule(scheduleId);
    const next = active.filter((e) => e.id !== finishedId && e.status === 'queued').sort((a, b) => a.createdAt - b.createdAt)[0];
    if (next) await this.deps.queue.enqueue(next.id);
  }

  private async stopEarly(executionId: string, signal: AbortSignal, log: Logger): Promise<void> {
    if (signal.reason instanceof LeaseLost) return;
    // Shutdown or cancel: hand the lease back without touching the status;
    // a canceled execution is already final, a shut-down one resumes on start.
    await this.deps.executions.release(executionId, this.owner, {}).catch((err: unknown) => log.warn({ err }, 'lease release failed'));
  }

  private async handBack(executionId: string, delayMs: number, log: Logger): Promise<void> {
    try {
      await this.deps.executions.release(executionId, this.owner, {});
      await this.deps.queue.enqueue(executionId, this.deps.clock.now() + delayMs);
    } catch (err) {
      log.error({ err }, 'could not hand the execution back; the reconciler will pick it up when its lease expires');
    }
  }
}

/** A control step's result over the output cap fails the step, as any other step's would. */
function capRecord(entry: StepAttempt, maxBytes: number): StepAttempt {
  if (entry.status !== 'succeeded') return entry;
  const bytes = jsonBytes(entry.output);
  if (bytes <= maxBytes) return entry;
  return {
    ...entry,
    status: 'failed',
    output: null,
    error: { kind: 'output_too_large', message: `the collected output is ${bytes} bytes, over the ${maxBytes}-byte limit (TASKER_MAX_OUTPUT_BYTES): have the inner steps keep only what later steps need` },
  };
}

/** A control step's derived result, as a journal entry. */
function recordAttempt(record: RecordRequest, now: number): StepAttempt {
  return { path: record.path, stepId: record.step.id, attempt: 1, status: record.status, output: record.output, error: record.error, startedAt: now, finishedAt: now };
}
