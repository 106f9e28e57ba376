// Reading and decoding an http step's response: a bounded read of the body
// stream (never more than the limit held in memory), charset-aware text,
// lossless JSON, base64 for binary types, headers as a plain object, and
// Retry-After. Decides nothing about success or failure of the step.
//
// Body rules: zero bytes -> null. JSON types (application/json, */*+json) are
// parsed (integers beyond 2^53 become BigInt); text types are decoded by their
// declared charset (UTF-8 when none or unknown); other types are a base64
// string; with no content-type at all, valid UTF-8 is text, anything else base64.
import { Buffer } from 'node:buffer';
import type { Headers } from 'undici';
import { parseJson, type JsonValue } from '../../domain/json.js';
import { StepError } from '../../domain/step-error.js';
import { decodeWindows1252 } from './windows-1252.js';

export interface BodyBytes {
  bytes: Uint8Array;
  /** The stream had more than `limit` bytes; `bytes` holds the first `limit`. */
  truncated: boolean;
}

export interface MediaType {
  essence: string;
  charset: string | null;
}

const TEXT_ESSENCES = new Set([
  'application/xml', 'application/javascript', 'application/ecmascript', 'application/x-www-form-urlencoded',
  'application/yaml', 'application/x-yaml', 'application/x-ndjson', 'application/graphql', 'application/sql',
  'application/csv', 'application/x-sh',
]);

/**
 * Reads at most `limit` bytes. Stops as soon as the limit is passed; the
 * caller must then abort the request so the rest is never downloaded.
 */
export async function readBody(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<BodyBytes> {
  if (stream === null) return { bytes: new Uint8Array(0), truncated: false };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - total));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

export function parseContentType(header: string | null): MediaType | null {
  if (header === null || header.trim() === '') return null;
  const [essence = '', ...parts] = header.split(';');
  let charset: string | null = null;
  for (const part of parts) {
    const m = /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(part);
    if (m) charset = (m[1] as string).toLowerCase();
  }
  return { essence: essence.trim().toLowerCase(), charset };
}

export const isJsonType = (mt: MediaType | null): boolean =>
  mt !== null && (mt.essence === 'application/json' || mt.essence.endsWith('+json'));

function isTextType(mt: MediaType): boolean {
  return mt.essence.startsWith('text/') || TEXT_ESSENCES.has(mt.essence)
    || mt.essence.endsWith('+xml') || mt.essence.endsWith('+yaml') || mt.charset !== null;
}

/** Decodes with the declared charset; an unknown charset falls back to UTF-8. */
export function decodeText(bytes: Uint8Array, charset: string | null): string {
  let decoder: { encoding: string; decode(input: Uint8Array): string };
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  // WHATWG reads latin1 and iso-8859-1 labels as windows-1252, as browsers do.
  return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
}

/** The first bytes of a body, quoted, for error messages. */
export function bodySnippet(bytes: Uint8Array, charset: string | null, max = 100): string {
  const head = decodeText(bytes.subarray(0, max), charset);
  return JSON.stringify(head) + (bytes.byteLength > max ? '…' : '');
}

/**
 * Decodes a complete body. `strictJson`: a body that claims JSON but does not
 * parse fails with kind invalid_json; otherwise it is returned as text.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null, strictJson: boolean): JsonValue {
  if (bytes.byteLength === 0) return null;
  const mt = parseContentType(contentType);
  if (isJsonType(mt)) {
    const text = decodeText(bytes, mt?.charset ?? null);
    try {
      return parseJson(text);
    } catch (err) {
      if (!strictJson) return text;
      const reason = err instanceof Error ? err.message : String(err);
      throw new StepError(
        'invalid_json',
        `response says ${mt?.essence} but its body is not valid JSON (${reason}); it starts with ${bodySnippet(bytes, mt?.charset ?? null)}`,
        { cause: err },
      );
    }
  }
  if (mt !== null && isTextType(mt)) return decodeText(bytes, mt.charset);
  if (mt === null) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // not UTF-8: binary
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Lowercase names; `set-cookie` is a list (its values may hold commas). */
export function headersToObject(headers: Headers): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, value] of headers) {
    if (name !== 'set-cookie') out[name] = value;
  }
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
