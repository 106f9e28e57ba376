import { describe, expect, it } from 'vitest';
import { splitTemplate } from './template.js';

describe('splitTemplate', () => {
  it('returns plain text as one text part', () => {
    expect(splitTemplate('hello')).toEqual({ ok: true, whole: false, parts: [{ kind: 'text', text: 'hello' }] });
  });

  it('marks a string that is exactly one template as whole, trimming inside the braces', () => {
    const r = splitTemplate('{{  input.since }}');
    expect(r).toEqual({ ok: true, whole: true, parts: [{ kind: 'expr', source: 'input.since', offset: 4 }] });
  });

  it('treats whitespace around a single template as whole (YAML block scalars add a newline)', () => {
    const r = splitTemplate('  {{ x }}\n');
    expect(r.ok && r.whole).toBe(true);
  });

  it('splits text mixed with several templates', () => {
    const r = splitTemplate('id={{ a }}&n={{b}}');
    expect(r).toEqual({
      ok: true,
      whole: false,
      parts: [
        { kind: 'text', text: 'id=' },
        { kind: 'expr', source: 'a', offset: 6 },
        { kind: 'text', text: '&n=' },
        { kind: 'expr', source: 'b', offset: 15 },
      ],
    });
  });

  it('is not confused by braces inside string literals', () => {
    const r = splitTemplate('{{ "}}" & \'{{\' & "a\\"}}" }} tail');
    expect(r.ok && r.parts[0]).toEqual({ kind: 'expr', source: '"}}" & \'{{\' & "a\\"}}"', offset: 3 });
  });

  it('is not confused by an object constructor ending in }}', () => {
    const r = splitTemplate('{{ {"a": {"b": 1}} }}');
    expect(r.ok && r.whole && r.parts[0]).toEqual({ kind: 'expr', source: '{"a": {"b": 1}}', offset: 3 });
  });

  it('skips backtick names and comments', () => {
    const r = splitTemplate('{{ `a}}b` /* }} */ }}');
    expect(r.ok && r.parts[0]).toMatchObject({ kind: 'expr', source: '`a}}b` /* }} */' });
  });

  it('reports a template that is not closed, with where it starts', () => {
    expect(splitTemplate('abc {{ x')).toEqual({ ok: false, message: 'the template opened with {{ at character 4 is not closed with }}' });
  });

  it('reports an unclosed string literal', () => {
    const r = splitTemplate('{{ "abc }}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('string literal that is not closed');
  });

  it('reports an empty template', () => {
    const r = splitTemplate('a {{ }} b');
    expect(!r.ok && r.message).toContain('is empty');
  });
});
