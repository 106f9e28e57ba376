// Turns the http step's resolved params into the exact request to send:
// method, URL (with `query` appended), lowercase headers (auth, content type,
// Idempotency-Key) and the body as text. Sends nothing and reads no response.
//
// Body encoding, in order:
//   - `body` absent or null: no body.
//   - `bodyType: json | text | form` says it explicitly.
//   - otherwise: a string is sent as-is (content-type text/plain unless the
//     user set one); an object with a user content-type of
//     application/x-www-form-urlencoded is form-encoded; anything else
//     (object, array, number, boolean) is JSON (application/json).
//   - form: an object's scalar values become `k=v`, arrays repeat the key,
//     null becomes an empty value, nested objects are JSON text.
// `auth` ({ type: basic, username, password } | { type: bearer, token }) wins
// over an Authorization header; credentials in the URL become basic auth.
// A user's Idempotency-Key header wins over ours.
import { Buffer } from 'node:buffer';
import { stringifyJson, type JsonValue } from '../../domain/json.js';
import { parseMethod } from './http-options.js';
import { paramError } from './param-error.js';

export interface HttpRequestPlan {
  method: string;
  url: URL;
  /** Lowercase names. */
  headers: Record<string, string>;
  body: string | null;
}

export const BODY_TYPES = ['json', 'text', 'form'] as const;
type BodyType = (typeof BODY_TYPES)[number];

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DEFAULT_CONTENT_TYPE: Record<BodyType, string> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  form: 'application/x-www-form-urlencoded',
};

const isObject = (v: unknown): v is Record<string, JsonValue> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as it goes into a header, a query string or a form field. */
function scalarText(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return stringifyJson(value);
  return String(value);
}

function parseUrl(value: JsonValue | undefined): URL {
  if (typeof value !== 'string' || value.trim() === '') {
    throw paramError('url', `expected an absolute http(s) URL, got ${stringifyJson(value ?? null)}`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw paramError('url', `expected an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw paramError('url', `only http and https URLs are supported, got ${JSON.stringify(url.protocol)}`);
  }
  return url;
}

function appendQuery(url: URL, query: JsonValue | undefined): void {
  if (query === undefined || query === null) return;
  if (!isObject(query)) throw paramError('query', `expected an object of names to values, got ${stringifyJson(query)}`);
  for (const [name, value] of Object.entries(query)) {
    if (value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, scalarText(item));
  }
}

function collectHeaders(raw: JsonValue | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined || raw === null) return headers;
  if (!isObject(raw)) throw paramError('headers', `expected an object of header names to values, got ${stringifyJson(raw)}`);
  for (const [name, value] of Object.entries(raw)) {
    if (value === null) continue;
    if (!TOKEN_RE.test(name)) throw paramError(`headers.${name}`, 'is not a valid header name');
    const text = Array.isArray(value) ? value.map(scalarText).join(', ') : scalarText(value);
    if (/[\r\n\0]/.test(text)) throw paramError(`headers.${name}`, 'header values cannot contain line breaks or NUL');
    // HTTP/1.1 header values are bytes: characters past U+00FF cannot be sent as is.
    // eslint-disable-next-line no-control-regex -- the range starts at U+0000 on purpose
    if (/[^\u0000-\u00ff]/.test(text)) throw paramError(`headers.${name}`, 'header values may only hold Latin-1 characters: encode others first (e.g. $encodeUrlComponent)');
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

function authorization(auth: JsonValue | undefined): string | null {
  if (auth === undefined || auth === null) return null;
  if (isObject(auth) && auth.type === 'basic') {
    const { username, password } = auth;
    if (typeof username !== 'string') throw paramError('auth.username', 'expected a string');
    if (password !== undefined && password !== null && typeof password !== 'string') {
      throw paramError('auth.password', 'expected a string');
    }
    return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
  }
  if (isObject(auth) && auth.type === 'bearer') {
    if (typeof auth.token !== 'string' || auth.token === '') throw paramError('auth.token', 'expected a non-empty string');
    if (/[\r\n\0]/.test(auth.token)) throw paramError('auth.token', 'cannot contain line breaks or NUL');
    return `Bearer ${auth.token}`;
  }
  throw paramError('auth', 'expected { type: basic, username, password } or { type: bearer, token }');
}

function chooseBodyType(explicit: JsonValue | undefined, body: JsonValue, userContentType: string | undefined): BodyType {
  if (explicit !== undefined && explicit !== null) {
    if (typeof explicit === 'string' && (BODY_TYPES as readonly string[]).includes(explicit)) return explicit as BodyType;
    throw paramError('bodyType', `expected one of ${BODY_TYPES.join(', ')}, got ${stringifyJson(explicit)}`);
  }
  if (typeof body === 'string') return 'text';
  if (isObject(body) && userContentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return 'form';
  return 'json';
}

function encodeBody(type: BodyType, body: JsonValue): string {
  if (type === 'json') return stringifyJson(body);
  if (type === 'text') return typeof body === 'string' ? body : stringifyJson(body);
  if (typeof body === 'string') return body; // already encoded by the user
  if (!isObject(body)) throw paramError('body', `a form body must be an object of field names to values, got ${stringifyJson(body)}`);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, scalarText(item));
  }
  return form.toString();
}

export function planHttpRequest(params: Record<string, JsonValue>, idempotencyKey: string): HttpRequestPlan {
  const method = parseMethod(params.method);
  if (!method.ok) throw paramError('method', method.message);
  const url = parseUrl(params.url);
  appendQuery(url, params.query);
  const headers = collectHeaders(params.headers);

  const auth = authorization(params.auth);
  if (auth !== null) headers.authorization = auth;
  if (url.username !== '' || url.password !== '') {
    // fetch refuses URLs with credentials; send them as basic auth instead.
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.authorization ??= `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  if (headers['idempotency-key'] === undefined && idempotencyKey !== '') headers['idempotency-key'] = idempotencyKey;
  // undici decodes br too but only advertises gzip and deflate.
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  headers['user-agent'] ??= 'tasker';

  let body: string | null = null;
  const raw = params.body;
  if (raw !== undefined && raw !== null) {
    if (method.value === 'GET' || method.value === 'HEAD') {
      throw paramError('body', `a ${method.value} request cannot have a body`);
    }
    const type = chooseBodyType(params.bodyType, raw, headers['content-type']);
    body = encodeBody(type, raw);
    headers['content-type'] ??= DEFAULT_CONTENT_TYPE[type];
  }
  return { method: method.value, url, headers, body };
}

/** The URL as safe to show in messages and logs: no credentials, no query. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
