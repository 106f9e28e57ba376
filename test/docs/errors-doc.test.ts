// Keeps docs/errors.md and the ERROR_CODES registry in step: every code is
// documented with its status and title, and the page lists no code that does
// not exist. It reads the page's table rows; it must not judge the prose.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/errors.js';

interface DocRow {
  code: string;
  status: number;
  title: string;
}

/** Table rows shaped `| `CODE` | 404 | Title | when |`. */
function documentedCodes(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*(\d{3})\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (m) rows.push({ code: m[1] as string, status: Number(m[2]), title: m[3] as string });
  }
  return rows;
}

const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const rows = documentedCodes(page);
const registry = Object.entries(ERROR_CODES) as [ErrorCode, { status: number; title: string }][];

describe('docs/errors.md', () => {
  it('has a table row for every code in ERROR_CODES, with its status and title', () => {
    for (const [code, { status, title }] of registry) {
      const row = rows.find((r) => r.code === code);
      expect(row, `${code} is missing from docs/errors.md`).toBeDefined();
      expect(row?.status, `${code}: status in docs/errors.md`).toBe(status);
      expect(row?.title, `${code}: title in docs/errors.md`).toBe(title);
    }
  });

  it('lists no code that does not exist, and each code once', () => {
    const known = new Set<string>(Object.keys(ERROR_CODES));
    const unknown = rows.map((r) => r.code).filter((code) => !known.has(code));
    expect(unknown, 'codes in docs/errors.md that ERROR_CODES does not have').toEqual([]);
    const seen = rows.map((r) => r.code);
    expect(seen.filter((code, i) => seen.indexOf(code) !== i), 'codes listed twice').toEqual([]);
  });

  it('mentions no code-like name in backticks that is not a real code', () => {
    // Catches a stale code in the prose, e.g. after a rename: any `UPPER_SNAKE` word
    // that is not an error code must be one of the few other names the page uses.
    const otherNames = new Set(['TASKER_API_TOKEN', 'TASKER_BODY_LIMIT', 'ERROR_CODES']);
    const names = [...page.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1] as string);
    const stray = names.filter((n) => !(n in ERROR_CODES) && !otherNames.has(n));
    expect(stray).toEqual([]);
  });
});
