// Splits a string into literal text and `{{ expression }}` parts. Only the
// splitting lives here: it knows enough JSONata lexing (string literals,
// backtick names, comments, nested braces) to find the closing `}}`, and
// nothing about evaluating. It never throws: a malformed template is reported.

export type TemplatePart =
  | { kind: 'text'; text: string }
  /** `source` is the expression trimmed; `offset` is where it starts in the string. */
  | { kind: 'expr'; source: string; offset: number };

export type SplitResult =
  | { ok: true; parts: TemplatePart[]; whole: boolean }
  | { ok: false; message: string };

const OPEN = '{{';

/** True when the string holds at least one `{{`, i.e. may be a template. */
export function hasTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * Splits `text`. `whole` is true when the string is exactly one template,
 * ignoring whitespace around it (so a YAML block scalar's trailing newline
 * does not turn a number into text): such a string keeps the result's type.
 */
export function splitTemplate(text: string): SplitResult {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(OPEN, i);
    if (open < 0) {
      parts.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: text.slice(i, open) });
    const start = open + OPEN.length;
    const close = findClose(text, start);
    if (close.ok === false) return { ok: false, message: close.message.replace('{at}', String(open)) };
    const raw = text.slice(start, close.at);
    const source = raw.trim();
    if (source === '') return { ok: false, message: `the template at character ${open} is empty: write an expression between {{ and }}` };
    parts.push({ kind: 'expr', source, offset: start + (raw.length - raw.trimStart().length) });
    i = close.at + 2;
  }
  const exprs = parts.filter((p) => p.kind === 'expr').length;
  const whole = exprs === 1 && parts.every((p) => p.kind === 'expr' || p.text.trim() === '');
  return { ok: true, parts, whole };
}

type CloseResult = { ok: true; at: number } | { ok: false; message: string };

/** Finds the `}}` that closes a template whose expression starts at `from`. */
function findClose(text: string, from: number): CloseResult {
  let depth = 0;
  let j = from;
  while (j < text.length) {
    const c = text[j];
    if (c === '"' || c === "'") {
      const end = skipQuoted(text, j, c);
      if (end < 0) return { ok: false, message: `the template at character {at} has a string literal that is not closed (missing ${c})` };
      j = end;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', j + 1);
      if (end < 0) return { ok: false, message: 'the template at character {at} has a `name` that is not closed (missing `)' };
      j = end + 1;
      continue;
    }
    if (c === '/' && text[j + 1] === '*') {
      const end = text.indexOf('*/', j + 2);
      if (end < 0) return { ok: false, message: 'the template at character {at} has a /* comment that is not closed' };
      j = end + 2;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && text[j + 1] === '}') return { ok: true, at: j };
      if (depth > 0) depth--;
    }
    j++;
  }
  return { ok: false, message: 'the template opened with {{ at character {at} is not closed with }}' };
}

/** Returns the index just after the closing quote, or -1. Backslash escapes the next character. */
function skipQuoted(text: string, start: number, quote: string): number {
  for (let k = start + 1; k < text.length; k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === quote) return k + 1;
  }
  return -1;
}
