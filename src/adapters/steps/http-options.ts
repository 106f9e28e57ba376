// Parsing of the http step's behaviour params (successStatus, maxResponseBytes,
// followRedirects, method). Pure functions returning a value or a plain
// message, shared by the runner and the static params check so both agree.
// No I/O here and nothing about building or sending the request.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
export const MAX_REDIRECTS = 10;

/** A status predicate: "2xx", 200, "200-299", or a list of those. */
export type StatusTest = (status: number) => boolean;

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

export function parseMethod(value: unknown): Parsed<string> {
  if (value === undefined || value === null) return { ok: true, value: 'GET' };
  if (typeof value === 'string') {
    const upper = value.trim().toUpperCase();
    if ((HTTP_METHODS as readonly string[]).includes(upper)) return { ok: true, value: upper };
  }
  return { ok: false, message: `expected one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(value)}` };
}

function parseStatusItem(item: unknown): StatusTest | null {
  if (typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599) {
    return (s) => s === item;
  }
  if (typeof item !== 'string') return null;
  const text = item.trim().toLowerCase();
  const klass = /^([1-5])xx$/.exec(text);
  if (klass) {
    const base = Number(klass[1]) * 100;
    return (s) => s >= base && s < base + 100;
  }
  const range = /^(\d{3})\s*-\s*(\d{3})$/.exec(text);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    return lo <= hi && lo >= 100 && hi <= 599 ? (s) => s >= lo && s <= hi : null;
  }
  if (/^\d{3}$/.test(text)) return parseStatusItem(Number(text));
  return null;
}

/** successStatus: default 2xx; a status, a class ("2xx"), a range ("200-399") or a list. */
export function parseSuccessStatus(value: unknown): Parsed<StatusTest> {
  if (value === undefined || value === null) return { ok: true, value: (s) => s >= 200 && s < 300 };
  const items = Array.isArray(value) ? value : [value];
  const tests: StatusTest[] = [];
  for (const item of items) {
    const test = parseStatusItem(item);
    if (!test) {
      return {
        ok: false,
        message: `expected a status like 200, a class like "2xx", a range like "200-299" or a list of those, got ${JSON.stringify(item)}`,
      };
    }
    tests.push(test);
  }
  if (tests.length === 0) return { ok: false, message: 'expected at least one status, got an empty list' };
  return { ok: true, value: (s) => tests.some((t) => t(s)) };
}

/** maxResponseBytes: a positive number of bytes or a size like "512KiB", "10MiB", "1MB". */
export function parseByteSize(value: unknown): Parsed<number> {
  if (value === undefined || value === null) return { ok: true, value: DEFAULT_MAX_RESPONSE_BYTES };
  const fail: Parsed<number> = {
    ok: false,
    message: `expected a positive number of bytes or a size like 512KiB, 10MiB or 1MB, got ${JSON.stringify(value)}`,
  };
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? { ok: true, value: Math.floor(value) } : fail;
  if (typeof value !== 'string') return fail;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = SIZE_UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m || unit === undefined) return fail;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 ? { ok: true, value: bytes } : fail;
}

export function parseFollowRedirects(value: unknown): Parsed<boolean> {
  if (value === undefined || value === null) return { ok: true, value: true };
  if (typeof value === 'boolean') return { ok: true, value };
  return { ok: false, message: `expected true or false, got ${JSON.stringify(value)}` };
}
