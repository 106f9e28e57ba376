// Visits every step of a validated definition in execution order: the main
// list, each step's fallback (onError) list right after the step, then the
// onFailure list. One traversal for the engine, validation and the API, so
// they agree on what "every step" means. It never modifies the definition.
import type { StepDefinition, TaskDefinition } from './definition.js';

export interface StepLocation {
  /** JSON pointer in the definition: /steps/2, /steps/2/onError/0, /onFailure/1. */
  pointer: string;
  /** Which list holds the step: the main list, a fallback, onFailure, or a control step's body. */
  list: 'steps' | 'onError' | 'onFailure' | 'body';
  index: number;
  /** The step whose fallback list holds this one (for list `onError`). */
  parent?: StepDefinition;
  /** 0 for main and onFailure steps, 1 for their fallbacks, and so on. */
  depth: number;
}

export type StepVisitor = (step: StepDefinition, location: StepLocation) => void;

export function walkSteps(definition: TaskDefinition, visit: StepVisitor): void {
  walkList(definition.steps, '/steps', 'steps', undefined, 0, visit);
  if (definition.onFailure) walkList(definition.onFailure, '/onFailure', 'onFailure', undefined, 0, visit);
}

function walkList(
  steps: readonly StepDefinition[],
  pointer: string,
  list: StepLocation['list'],
  parent: StepDefinition | undefined,
  depth: number,
  visit: StepVisitor,
): void {
  steps.forEach((step, index) => {
    const at = `${pointer}/${index}`;
    visit(step, parent ? { pointer: at, list, index, parent, depth } : { pointer: at, list, index, depth });
    if (Array.isArray(step.onError)) walkList(step.onError, `${at}/onError`, 'onError', step, depth + 1, visit);
    if (step.steps) walkList(step.steps, `${at}/steps`, 'body', step, depth + 1, visit);
    step.branches?.forEach((branch, b) => walkList(branch, `${at}/branches/${b}`, 'body', step, depth + 1, visit));
    step.cases?.forEach((c, i) => walkList(c.steps, `${at}/cases/${i}/steps`, 'body', step, depth + 1, visit));
    if (step.default) walkList(step.default, `${at}/default`, 'body', step, depth + 1, visit);
  });
}

/** Every step id in the definition, in execution order. */
export function collectStepIds(definition: TaskDefinition): string[] {
  const ids: string[] = [];
  walkSteps(definition, (step) => ids.push(step.id));
  return ids;
}

/** Finds a step anywhere in the definition by id. */
export function findStep(definition: TaskDefinition, id: string): { step: StepDefinition; location: StepLocation } | undefined {
  let found: { step: StepDefinition; location: StepLocation } | undefined;
  walkSteps(definition, (step, location) => {
    if (!found && step.id === id) found = { step, location };
  });
  return found;
}
