// Secret values must never be stored or logged in clear: everything the
// worker commits (outputs, errors) passes through here, and every occurrence
// of a secret value inside a string becomes "[secret]".
import type { JsonValue } from '../domain/json.js';
import type { Logger } from '../ports/logger.js';

export const REDACTED = '[secret]';

export type Redactor = <T extends JsonValue | undefined>(value: T) => T;

export function createRedactor(secrets: Record<string, string>): Redactor {
  // Longest first, so a secret that contains another is replaced whole; very
  // short values would redact half the journal, so they are left alone.
  const values = Object.values(secrets).filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  if (values.length === 0) return (value) => value;
  const redactString = (s: string): string => {
    let out = s;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
  const walk = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: { [key: string]: JsonValue } = {};
      // defineProperty, not assignment: a key named __proto__ is data, not the prototype.
      for (const [k, v] of Object.entries(value)) Object.defineProperty(out, redactString(k), { value: walk(v), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return value;
  };
  return ((value: JsonValue | undefined) => (value === undefined ? value : walk(value))) as Redactor;
}

/** A logger whose fields and messages pass through the redactor (for step runners such as `log`). */
export function redactingLogger(logger: Logger, redact: Redactor): Logger {
  const wrap = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: object, msg?: string) =>
    logger[level](redact(obj as JsonValue) as object, msg === undefined ? undefined : redact(msg));
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    child: (bindings) => redactingLogger(logger.child(bindings), redact),
  };
}
