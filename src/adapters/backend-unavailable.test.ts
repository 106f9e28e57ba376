import { describe, expect, it } from 'vitest';
import { isBackendUnavailable } from './backend-unavailable.js';

describe('isBackendUnavailable', () => {
  it('recognises dropped or refused connections of the database drivers, also as a cause', () => {
    expect(isBackendUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isBackendUnavailable(Object.assign(new Error('x'), { code: 'PROTOCOL_CONNECTION_LOST' }))).toBe(true);
    expect(isBackendUnavailable(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isBackendUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe(true);
    expect(isBackendUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
  });

  it('does not mistake bugs or constraint errors for an outage', () => {
    expect(isBackendUnavailable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isBackendUnavailable(Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY' }))).toBe(false);
    expect(isBackendUnavailable(null)).toBe(false);
  });
});
