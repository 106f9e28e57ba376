// Retry from failure, decided purely: which committed attempts of a finished
// execution a new execution may reuse, and the plan shown before a retry
// (which steps run again, which are reused, which of those that run again
// have side effects). Reuse is by path: a step whose latest attempt
// succeeded keeps its output; a failed step, its fallback steps and the
// onFailure handler run again.
import type { StepDefinition, TaskDefinition } from './definition.js';
import { ENTER_SEGMENT, FALLBACK_SEGMENT, ON_FAILURE_ROOT } from './engine.js';
import type { StepAttempt } from './execution.js';
import { hasTemplate } from './template.js';

export interface PlannedStep {
  stepId: string;
  path: string;
  type: string;
  /** Sends a non-GET/HEAD HTTP request, writes or deletes storage, or starts a sub-task (`maybe` when a template decides). */
  sideEffects: boolean | 'maybe';
}

export interface RetryPlan {
  reused: { stepId: string; path: string; output: StepAttempt['output'] }[];
  rerun: PlannedStep[];
  /** Fallback and onFailure steps: they run again only if their trigger fails again. */
  conditional: PlannedStep[];
}

/**
 * The committed attempts a retry keeps. Top-level steps are kept in order up
 * to the first one that did not simply succeed (it failed, was handled by a
 * fallback or `continue`, or never finished): that step and everything after
 * it run again, since later steps may have used its result. Inside that step,
 * when it is a loop or a branch, the inner steps that succeeded are kept (a
 * loop with one failed item re-runs that item); fallback steps never are.
 * onFailure steps always run again.
 */
export function reusableAttempts(definition: TaskDefinition, journal: readonly StepAttempt[], now: number): StepAttempt[] {
  const latest = new Map<string, StepAttempt>();
  for (const a of journal) {
    const seen = latest.get(a.path);
    if (!seen || a.attempt >= seen.attempt) latest.set(a.path, a);
  }
  const ok = (a: StepAttempt | undefined): a is StepAttempt =>
    a !== undefined && ((a.status === 'succeeded' && a.error === null) || a.status === 'skipped' || (a.status === 'waiting' && (a.wakeAt ?? 0) <= now));
  const under = (root: string) => [...latest.values()].filter((a) => a.path === root || a.path.startsWith(`${root}/`));
  const kept: StepAttempt[] = [];
  for (const step of definition.steps) {
    const own = latest.get(step.id);
    if (ok(own)) {
      kept.push(...under(step.id));
      continue;
    }
    kept.push(...under(step.id).filter((a) => a.path !== step.id && ok(a) && !a.path.includes(`/${FALLBACK_SEGMENT}/`)));
    break;
  }
  return kept;
}

export function retryPlan(definition: TaskDefinition, reused: readonly StepAttempt[]): RetryPlan {
  const reusedPaths = new Set(reused.map((a) => a.path));
  const plan: RetryPlan = {
    reused: reused.filter((a) => !a.path.endsWith(`/${ENTER_SEGMENT}`)).map((a) => ({ stepId: a.stepId, path: a.path, output: a.output })),
    rerun: [],
    conditional: [],
  };
  const visit = (steps: readonly StepDefinition[], base: string, conditional: boolean) => {
    for (const step of steps) {
      const path = base === '' ? step.id : `${base}/${step.id}`;
      if (reusedPaths.has(path)) continue;
      const planned: PlannedStep = { stepId: step.id, path, type: step.type, sideEffects: sideEffects(step) };
      (conditional ? plan.conditional : plan.rerun).push(planned);
      if (Array.isArray(step.onError)) visit(step.onError, `${path}/${FALLBACK_SEGMENT}`, true);
    }
  };
  visit(definition.steps, '', false);
  if (definition.onFailure) visit(definition.onFailure, ON_FAILURE_ROOT, true);
  return plan;
}

/** Whether running the step again can change something outside Tasker. */
export function sideEffects(step: StepDefinition): boolean | 'maybe' {
  const nested = [...(step.steps ?? []), ...(step.branches ?? []).flat(), ...(step.cases ?? []).flatMap((c) => c.steps), ...(step.default ?? [])];
  if (nested.length > 0) {
    const inner = nested.map(sideEffects);
    return inner.includes(true) ? true : inner.includes('maybe') ? 'maybe' : false;
  }
  if (step.type === 'storage.write' || step.type === 'storage.delete' || step.type === 'task') return true;
  if (step.type !== 'http') return false;
  const method = step.params['method'];
  if (method === undefined) return false;
  if (typeof method !== 'string') return 'maybe';
  if (hasTemplate(method)) return 'maybe';
  return !['GET', 'HEAD'].includes(method.toUpperCase());
}
