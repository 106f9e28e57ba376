// Creates a task from a definition, starts it, and waits for the end: the
// shape most worker-level integration tests need.
import type { JsonValue } from '../../src/domain/json.js';
import type { Runtime } from '../../src/main.js';

export async function runTaskToEnd(runtime: Runtime, definition: unknown, input: unknown = {}, waitMs = 30_000) {
  const task = await runtime.tasker.createTask(definition);
  const { execution } = await runtime.tasker.startExecution({ task: task.id, input: input as JsonValue });
  return runtime.tasker.waitForExecution(execution.id, waitMs);
}
