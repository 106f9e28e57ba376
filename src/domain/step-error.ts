// Typed step outcomes. Runners throw these; the engine branches on `kind`
// (retry policies, onError), never on message text.
import type { ErrorKind } from './definition.js';
import type { JsonValue } from './json.js';

export interface StepErrorInfo {
  kind: ErrorKind;
  message: string;
  /** Server-requested wait before the next attempt (Retry-After), if any. */
  retryAfterMs?: number;
  /** Extra detail (e.g. the `fail` step's data, an HTTP status). */
  data?: JsonValue;
  /** For a control step's failure (foreach, parallel, switch): the inner step that failed. */
  stepId?: string;
}

export class StepError extends Error {
  readonly kind: ErrorKind;
  readonly retryAfterMs?: number;
  readonly data?: JsonValue;

  constructor(kind: ErrorKind, message: string, options: { retryAfterMs?: number; data?: JsonValue; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StepError';
    this.kind = kind;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.data !== undefined) this.data = options.data;
  }

  toInfo(): StepErrorInfo {
    const info: StepErrorInfo = { kind: this.kind, message: this.message };
    if (this.retryAfterMs !== undefined) info.retryAfterMs = this.retryAfterMs;
    if (this.data !== undefined) info.data = this.data;
    return info;
  }
}

/** A step that timed out; its I/O has been aborted. */
export class StepTimeoutError extends StepError {
  constructor(timeoutMs: number) {
    super('timeout', `step timed out after ${timeoutMs}ms`);
    this.name = 'StepTimeoutError';
  }
}

/** Turns anything a runner threw into step error info. */
export function toStepErrorInfo(err: unknown): StepErrorInfo {
  if (err instanceof StepError) return err.toInfo();
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message };
}
