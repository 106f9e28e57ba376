// Templates are compiled once per task version: this cache keeps each loaded
// version's definition with its compiled params and `if` expressions. Versions
// never change, so entries never go stale; the cache is bounded by count.
import type { StepDefinition, TaskDefinition } from '../domain/definition.js';
import { compileTemplates, type CompiledValue } from '../domain/expressions.js';
import type { TaskStore } from '../ports/task-store.js';
import { TaskerError } from '../domain/errors.js';
import { walkSteps } from '../domain/walk-steps.js';

export interface CompiledStep {
  params: CompiledValue;
  condition: CompiledValue | null;
  /** foreach's items; switch's case conditions, in order. */
  items: CompiledValue | null;
  cases: CompiledValue[];
}

export interface CompiledTask {
  definition: TaskDefinition;
  output: CompiledValue | null;
  /** Whether any step is a `task` step (only then can an execution leave sub-tasks behind). */
  startsSubtasks: boolean;
  step(step: StepDefinition): CompiledStep;
}

const MAX_ENTRIES = 500;

export class CompiledTaskCache {
  private readonly entries = new Map<string, CompiledTask>();

  constructor(private readonly tasks: TaskStore) {}

  async get(taskId: string, version: number): Promise<CompiledTask> {
    const key = `${taskId}@${version}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const record = await this.tasks.getVersion(taskId, version);
    if (!record) throw new TaskerError('TASK_VERSION_NOT_FOUND', `task ${taskId} has no version ${version}`);
    const compiled = compileTask(record.definition);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, compiled);
    return compiled;
  }
}

export function compileTask(definition: TaskDefinition): CompiledTask {
  const steps = new WeakMap<StepDefinition, CompiledStep>();
  let startsSubtasks = false;
  walkSteps(definition, (step) => {
    if (step.type === 'task') startsSubtasks = true;
  });
  return {
    definition,
    startsSubtasks,
    output: definition.output === undefined ? null : compileTemplates(definition.output),
    step(step) {
      let compiled = steps.get(step);
      if (!compiled) {
        compiled = {
          params: compileTemplates(step.params, '/params'),
          condition: step.if === undefined ? null : compileTemplates(step.if, '/if'),
          items: step.items === undefined ? null : compileTemplates(step.items, '/items'),
          cases: (step.cases ?? []).map((c, i) => compileTemplates(c.when, `/cases/${i}/when`)),
        };
        steps.set(step, compiled);
      }
      return compiled;
    },
  };
}
