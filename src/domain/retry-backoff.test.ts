import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from './definition.js';
import { MAX_RETRY_DELAY_MS } from './definition-limits.js';
import { retryDelayMs, shouldRetry } from './retry-backoff.js';

const policy: RetryPolicy = { maxAttempts: 5, backoff: 'fixed', delayMs: 1000, jitter: false, on: ['http_429', 'http_5xx'] };
const busy = (retryAfterMs?: number) => ({ kind: 'http_429' as const, message: 'slow down', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('retry back-off', () => {
  it("waits for the server's Retry-After when it is longer than the back-off", () => {
    expect(retryDelayMs(policy, 1, busy(5000), 's')).toBe(5000);
    expect(retryDelayMs(policy, 1, busy(10), 's')).toBe(1000);
  });

  it('caps Retry-After at maxDelay, so a server cannot park the execution', () => {
    expect(retryDelayMs({ ...policy, maxDelayMs: 2000 }, 1, busy(99_999_999_999), 's')).toBe(2000);
  });

  it('never waits longer than the global ceiling', () => {
    expect(retryDelayMs(policy, 1, busy(Number.MAX_SAFE_INTEGER), 's')).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs({ ...policy, backoff: 'exponential' }, 80, busy(), 's')).toBe(MAX_RETRY_DELAY_MS);
  });

  it('retries only the kinds the policy names, while attempts remain', () => {
    expect(shouldRetry(policy, busy(), 1)).toBe(true);
    expect(shouldRetry(policy, busy(), 5)).toBe(false);
    expect(shouldRetry(policy, { kind: 'http_4xx', message: 'no' }, 1)).toBe(false);
    expect(shouldRetry({ ...policy, on: ['any'] }, { kind: 'http_4xx', message: 'no' }, 1)).toBe(true);
  });
});
