// successStatus, maxResponseBytes, followRedirects and method parsing.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RESPONSE_BYTES, parseByteSize, parseFollowRedirects, parseMethod, parseSuccessStatus } from './http-options.js';

function statusTest(value: unknown): (s: number) => boolean {
  const r = parseSuccessStatus(value);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('successStatus', () => {
  it('defaults to 2xx', () => {
    const ok = statusTest(undefined);
    expect([200, 204, 299].every(ok)).toBe(true);
    expect([199, 300, 404].some(ok)).toBe(false);
  });

  it('accepts statuses, classes and ranges, alone or in a list', () => {
    const ok = statusTest([200, '404', '3xx', '500-502']);
    expect([200, 404, 301, 500, 502].every(ok)).toBe(true);
    expect([201, 503].some(ok)).toBe(false);
  });

  it('explains what it expected on a bad value', () => {
    expect(parseSuccessStatus('ok')).toEqual({ ok: false, message: expect.stringContaining('"2xx"') });
    expect(parseSuccessStatus([])).toMatchObject({ ok: false });
    expect(parseSuccessStatus(700)).toMatchObject({ ok: false });
  });
});

describe('maxResponseBytes', () => {
  it('defaults to 10 MiB and reads numbers and sizes with units', () => {
    expect(parseByteSize(undefined)).toEqual({ ok: true, value: DEFAULT_MAX_RESPONSE_BYTES });
    expect(parseByteSize(1000)).toEqual({ ok: true, value: 1000 });
    expect(parseByteSize('64KiB')).toEqual({ ok: true, value: 65536 });
    expect(parseByteSize('1MB')).toEqual({ ok: true, value: 1_000_000 });
    expect(parseByteSize('2 mib')).toEqual({ ok: true, value: 2 * 1024 * 1024 });
  });

  it('refuses zero, negatives and unknown units', () => {
    for (const bad of [0, -1, '10 parsecs', true]) expect(parseByteSize(bad).ok).toBe(false);
  });
});

describe('method and followRedirects', () => {
  it('upper-cases a known method and defaults to GET', () => {
    expect(parseMethod('post')).toEqual({ ok: true, value: 'POST' });
    expect(parseMethod(undefined)).toEqual({ ok: true, value: 'GET' });
    expect(parseMethod('TRACE').ok).toBe(false);
  });

  it('defaults followRedirects to true and takes only booleans', () => {
    expect(parseFollowRedirects(undefined)).toEqual({ ok: true, value: true });
    expect(parseFollowRedirects('no').ok).toBe(false);
  });
});
