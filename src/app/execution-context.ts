// What templates see as `execution`, and the serialised size used by the
// output cap: shared by the step runner and the execution completion.
import type { Execution } from '../domain/execution.js';
import { stringifyJson, type JsonValue } from '../domain/json.js';

export function executionContext(execution: Execution, attempt: number): Record<string, JsonValue> {
  return {
    id: execution.id,
    taskId: execution.taskId,
    taskVersion: execution.taskVersion,
    trigger: execution.trigger,
    scheduledFor: execution.scheduledFor === null ? null : new Date(execution.scheduledFor).toISOString(),
    attempt,
  };
}

export function jsonBytes(value: JsonValue): number {
  return Buffer.byteLength(stringifyJson(value));
}
