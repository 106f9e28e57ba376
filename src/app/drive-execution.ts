// The worker's loop for one execution: claim the lease, ask the engine what
// is next, run it, commit each finished attempt, repeat; on a wait, release
// the execution (it holds no worker while waiting) and enqueue it for later.
// Must not: commit anything after losing the lease, or record a failure
// caused by this process shutting down (the next start resumes instead).
import { decide, type Decision, type RunRequest } from '../domain/engine.js';
import type { Execution, StepAttempt } from '../domain/execution.js';
import { evaluate } from '../domain/expressions.js';
import type { JsonValue } from '../domain/json.js';
import { executionContext } from './execution-context.js';
import type { Logger } from '../ports/logger.js';
import type { AppDeps } from './deps.js';
import type { CompiledTask, CompiledTaskCache } from './compiled-tasks.js';
import type { InFlight } from './in-flight.js';
import type { Redactor } from './redact-secrets.js';
import { runStepAttempt, type StepAttemptContext } from './run-step-attempt.js';
import { toStepErrorInfo } from '../domain/step-error.js';
import { TaskerError } from '../domain/errors.js';

/** Why a drive stopped early without finishing the execution. */
class LeaseLost extends Error {
  constructor() {
    super('the lease on this execution was lost');
    this.name = 'LeaseLost';
  }
}

const RETRY_AFTER_INFRA_ERROR_MS = 5_000;

export class ExecutionDriver {
  constructor(
    private readonly deps: AppDeps,
    private readonly cache: CompiledTaskCache,
    private readonly inFlight: InFlight,
    private readonly redact: Redactor,
    private readonly owner: string,
  ) {}

  async drive(executionId: string): Promise<void> {
    const { executions, clock, settings } = this.deps;
    const claimed = await executions.claim(executionId, this.owner, clock.now(), settings.leaseMs);
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
      await this.loop(claimed, controller.signal, log);
    } catch (err) {
      if (controller.signal.aborted) {
        log.info({ reason: String(controller.signal.reason) }, 'execution drive stopped');
      } else if (err instanceof TaskerError && err.code === 'TASK_VERSION_NOT_FOUND') {
        // The task was deleted under a running execution: it can never go on.
        log.error({ err }, 'execution failed: its task version no longer exists');
        const patch = { status: 'failed' as const, error: { kind: 'internal', message: err.message }, finishedAt: this.deps.clock.now(), wakeAt: null };
        if (await this.deps.executions.release(executionId, this.owner, patch).catch(() => false)) {
          this.deps.events.emit('execution.finished', { execution: { ...claimed, ...patch, output: null } });
        }
      } else {
        // Infrastructure trouble (database, missing version): hand the
        // execution back and look again soon; never lose it.
        log.error({ err }, 'execution drive failed; will retry');
        await this.handBack(executionId, RETRY_AFTER_INFRA_ERROR_MS, log);
      }
    } finally {
      clearInterval(renew);
      this.inFlight.end(executionId, controller);
    }
  }

  private async loop(execution: Execution, signal: AbortSignal, log: Logger): Promise<void> {
    const { executions, clock, events } = this.deps;
    if (await this.heldByQueuePolicy(execution)) {
      await executions.release(execution.id, this.owner, {});
      return;
    }
    const task = await this.cache.get(execution.taskId, execution.taskVersion);
    if (execution.status !== 'running') {
      const firstStart = execution.startedAt === null;
      const startedAt = execution.startedAt ?? clock.now();
      if (!(await executions.transition(execution.id, this.owner, { status: 'running', startedAt, wakeAt: null }))) return;
      execution = { ...execution, status: 'running', startedAt, wakeAt: null };
      if (firstStart) events.emit('execution.started', { execution });
    }
    const journal: StepAttempt[] = await executions.attempts(execution.id);
    for (;;) {
      if (signal.aborted) return this.stopEarly(execution.id, signal, log);
      const decision = decide(task.definition, { executionId: execution.id, journal, now: clock.now() });
      if (decision.type === 'run') {
        const attempts = await Promise.all(decision.runs.map((run) => this.attempt(execution, task, run, signal, log)));
        if (signal.aborted) return this.stopEarly(execution.id, signal, log);
        for (const attempt of attempts) {
          if (!attempt) continue;
          if (!(await executions.appendAttempt(execution.id, this.owner, attempt))) {
            log.info({ path: attempt.path }, 'attempt not committed: lease lost or execution ended');
            return;
          }
          journal.push(attempt);
          const next = decide(task.definition, { executionId: execution.id, journal, now: attempt.finishedAt });
          const willRetryAt = attempt.status === 'failed' && next.type === 'wait' ? next.until : null;
          events.emit('step.finished', { executionId: execution.id, attempt, willRetryAt });
        }
        continue;
      }
      if (decision.type === 'wait') {
        await this.wait(execution, decision.until);
        return;
      }
      await this.complete(execution, task, decision, log);
      return;
    }
  }

  private attempt(execution: Execution, task: CompiledTask, run: RunRequest, signal: AbortSignal, log: Logger): Promise<StepAttempt | null> {
    const context: StepAttemptContext = {
      execution,
      task,
      run,
      signal,
      logger: log.child({ stepId: run.step.id, path: run.path }),
      deps: this.deps,
      redact: this.redact,
    };
    this.deps.events.emit('step.started', { executionId: execution.id, path: run.path, stepId: run.step.id, attempt: run.attempt });
    return runStepAttempt(context);
  }

  private async wait(execution: Execution, until: number): Promise<void> {
    const { executions, queue } = this.deps;
    if (!(await executions.release(execution.id, this.owner, { status: 'waiting', wakeAt: until }))) return;
    await queue.enqueue(execution.id, until);
  }

  private async complete(execution: Execution, task: CompiledTask, decision: Extract<Decision, { type: 'complete' }>, log: Logger): Promise<void> {
    const { executions, clock, events, settings } = this.deps;
    let { status, output, error } = decision;
    if (status !== 'failed' && task.output) {
      try {
        output = await evaluate(task.output, this.contextFor(execution, decision.scope), {
          now: () => clock.now(),
          timeoutMs: settings.expressionTimeoutMs,
        });
      } catch (err) {
        const info = toStepErrorInfo(err);
        status = 'failed';
        output = null;
        error = { kind: info.kind, message: `task output: ${info.message}` };
      }
    }
    output = this.redact(output);
    if (error) error = { ...error, message: this.redact(error.message) };
    const finishedAt = clock.now();
    const patch = { status, output, error, finishedAt, wakeAt: null };
    if (!(await executions.release(execution.id, this.owner, patch))) return;
    log.info({ status }, 'execution finished');
    events.emit('execution.finished', { execution: { ...execution, ...patch } });
    if (execution.scheduleId) await this.releaseQueuedSibling(execution.scheduleId, execution.id);
  }

  private contextFor(execution: Execution, scope: { steps: Record<string, unknown>; prev: JsonValue }): Record<string, unknown> {
    return {
      input: execution.input,
      steps: scope.steps,
      prev: scope.prev,
      execution: executionContext(execution, 1),
      secrets: this.deps.settings.secrets,
    };
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
