// One typed event map for what happens to executions. The worker emits; the
// CLI (`tasker run` prints each step), ?wait, and later SSE subscribe.
import type { Execution } from '../domain/execution.js';
import type { StepAttempt } from '../domain/execution.js';

export interface TaskerEvents {
  'execution.started': { execution: Execution };
  'step.started': { executionId: string; path: string; stepId: string; attempt: number };
  /** A committed attempt (succeeded, failed, skipped or waiting). */
  'step.finished': { executionId: string; attempt: StepAttempt; willRetryAt: number | null };
  'execution.finished': { execution: Execution };
  /** Another process finished this execution (a hint relayed from Redis; read the store for the truth). */
  'execution.finished.elsewhere': { executionId: string };
  /** The process is shutting down: long waits (?wait=) answer now with what they have. */
  'runtime.closing': Record<string, never>;
}

export type TaskerEventName = keyof TaskerEvents;
export type TaskerListener<K extends TaskerEventName> = (payload: TaskerEvents[K]) => void;

/** A tiny typed emitter; listeners that throw are isolated from the emitter. */
export class TaskerEventBus {
  private readonly listeners = new Map<TaskerEventName, Set<(payload: never) => void>>();

  on<K extends TaskerEventName>(name: K, listener: TaskerListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** How many listeners an event has (tests use it to prove subscribers clean up). */
  listenerCount(name: TaskerEventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  emit<K extends TaskerEventName>(name: K, payload: TaskerEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as TaskerListener<K>)(payload);
      } catch {
        // A listener's failure must never break the worker that emitted.
      }
    }
  }
}
