import { describe, expect, it } from 'vitest';
import { parseDefinitionText } from './definition-text.js';

describe('parseDefinitionText', () => {
  it('reads JSON and keeps integers beyond 2^53 as BigInt', () => {
    expect(parseDefinitionText('{"name": "t", "n": 12345678901234567890, "m": 3}')).toEqual({
      ok: true,
      value: { name: 't', n: 12345678901234567890n, m: 3 },
    });
  });

  it('reads YAML, with only unsafe integers as BigInt', () => {
    const text = 'name: sync-posts\nsteps:\n  - id: fetch\n    type: http\n    params: { url: "http://x/{{ input.since }}", n: 12345678901234567890 }\n    retry: { maxAttempts: 5 }\n';
    const r = parseDefinitionText(text);
    expect(r).toEqual({
      ok: true,
      value: { name: 'sync-posts', steps: [{ id: 'fetch', type: 'http', params: { url: 'http://x/{{ input.since }}', n: 12345678901234567890n }, retry: { maxAttempts: 5 } }] },
    });
  });

  it('reads YAML 1.2: yes and dates stay strings', () => {
    expect(parseDefinitionText('a: yes\nb: 2024-01-01\nc: ~\nd: 1.5')).toEqual({ ok: true, value: { a: 'yes', b: '2024-01-01', c: null, d: 1.5 } });
  });

  it('reads YAML flow style that only looks like JSON', () => {
    expect(parseDefinitionText('{ name: t, steps: [] }')).toEqual({ ok: true, value: { name: 't', steps: [] } });
  });

  it('reports JSON syntax errors with line and column', () => {
    const r = parseDefinitionText('{\n  "name": "t",,\n}', 'json');
    expect(r).toEqual({ ok: false, problems: [{ path: '', message: expect.stringMatching(/^not valid JSON: line 2, column 15: /) }] });
  });

  it('reports YAML errors, duplicate keys and several documents', () => {
    for (const text of ['a: [1, 2\nb: 3\n', 'a: 1\na: 2\n', 'a: 1\n---\nb: 2\n']) {
      const r = parseDefinitionText(text);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problems[0]?.message).toMatch(/^not valid YAML: .* at line \d+, column \d+:?$/);
    }
  });

  it('refuses values JSON cannot hold and empty text', () => {
    expect(parseDefinitionText('a: .inf')).toEqual({ ok: false, problems: [{ path: '/a', message: expect.stringContaining('Infinity') }] });
    expect(parseDefinitionText('  \n')).toEqual({ ok: false, problems: [{ path: '', message: 'the definition is empty' }] });
  });

  it('keeps a key named __proto__ as plain data', () => {
    const r = parseDefinitionText('__proto__: { polluted: true }\n');
    expect(r.ok && Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(r.ok && Object.keys(r.value as object)).toEqual(['__proto__']);
  });
});
