// When the next attempt of a failed step may start. Pure and deterministic:
// jitter comes from a hash of (execution, path, attempt), so replaying a
// journal gives the same waits.
import { DEFAULT_RETRY_ON, type RetryPolicy } from './definition.js';
import type { StepErrorInfo } from './step-error.js';
import { MAX_RETRY_DELAY_MS } from './definition-limits.js';

/** True when the policy retries errors of this kind and attempts remain. */
export function shouldRetry(policy: RetryPolicy | undefined, error: StepErrorInfo, attempt: number): boolean {
  if (!policy || attempt >= policy.maxAttempts) return false;
  const on = policy.on.length > 0 ? policy.on : DEFAULT_RETRY_ON;
  return on.includes('any') || (on as readonly string[]).includes(error.kind);
}

/**
 * The wait before attempt `attempt + 1`. Exponential doubles from `delayMs`;
 * `maxDelayMs` caps the back-off; jitter picks a deterministic point in
 * [delay/2, delay]. A server's Retry-After wins when it asks for longer, up
 * to `maxDelayMs` when one is set and never past MAX_RETRY_DELAY_MS: a
 * server cannot park an execution forever.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: StepErrorInfo, jitterSeed: string): number {
  let delay = policy.backoff === 'exponential' ? policy.delayMs * 2 ** (attempt - 1) : policy.delayMs;
  if (policy.maxDelayMs !== undefined) delay = Math.min(delay, policy.maxDelayMs);
  if (policy.jitter) delay = Math.round(delay / 2 + (delay / 2) * unitHash(`${jitterSeed}#${attempt}`));
  if (error.retryAfterMs !== undefined) {
    const ceiling = Math.min(policy.maxDelayMs ?? MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
    delay = Math.max(delay, Math.min(error.retryAfterMs, ceiling));
  }
  return Math.min(delay, MAX_RETRY_DELAY_MS);
}

/** FNV-1a over the string, mapped to [0, 1). */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}
