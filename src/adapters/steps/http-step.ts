// The `http` step runner (undici 7 fetch). It sends one request, follows
// redirects itself (at most 10 hops), reads the body within maxResponseBytes
// and the caller's deadline, and turns every outcome into output or a typed
// StepError. It never retries (the engine does) and never leaves a socket open.
//
// Outcomes: a status accepted by successStatus (default 2xx) -> output
// { status, headers, body }. Otherwise kind http_429 (429), http_5xx (5xx) or
// http_4xx (every other refused status, including an unfollowed 3xx and a
// 2xx the user excluded), with data { status, headers, body } and, on 429 and
// 503, retryAfterMs from Retry-After. Transport failures -> network. An abort
// of ctx.signal -> its reason when that is a StepError (the engine's
// StepTimeoutError), else canceled. The deadline covers the body download too.
//
// Connections: by default a run leases a keep-alive connection of its own
// from the runner's HttpConnectionPool (see there): reused by the next request
// to that origin when this one's response was read in full, destroyed at once
// otherwise, closed after a short idle time. A request that fails on a reused
// connection before any response arrives (the server closed it just then) is
// sent once more on a fresh one. Pass `dispatcher` to share a pool of your own
// instead; its sockets are then yours.
import { fetch, type Dispatcher, type Response } from 'undici';
import type { JsonValue } from '../../domain/json.js';
import { StepError } from '../../domain/step-error.js';
import type { StepRunContext, StepRunner } from '../../ports/step-runner.js';
import {
  MAX_REDIRECTS, parseByteSize, parseFollowRedirects, parseSuccessStatus, type Parsed, type StatusTest,
} from './http-options.js';
import { displayUrl, planHttpRequest, type HttpRequestPlan } from './http-request.js';
import { bodySnippet, decodeBody, headersToObject, parseContentType, parseRetryAfter, readBody } from './http-response.js';
import { paramError } from './param-error.js';
import { HttpConnectionPool, type ConnectionLease } from './http-connection-pool.js';

export interface HttpStepOptions {
  /** A shared undici dispatcher (connection pool); default: leases from the runner's own HttpConnectionPool. */
  dispatcher?: Dispatcher;
}

/** Where each hop's request goes: the caller's dispatcher, or a leased connection. */
type Connect = (origin: string) => ConnectionLease;

interface Limits {
  followRedirects: boolean;
  maxBytes: number;
  isSuccess: StatusTest;
}

interface Sent {
  response: Response;
  method: string;
  url: URL;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CROSS_ORIGIN_DROPPED = ['authorization', 'cookie', 'proxy-authorization'];

function need<T>(name: string, parsed: Parsed<T>): T {
  if (!parsed.ok) throw paramError(name, parsed.message);
  return parsed.value;
}

export function createHttpStepRunner(options: HttpStepOptions = {}): StepRunner {
  const shared = options.dispatcher;
  const pool = shared ? undefined : new HttpConnectionPool();
  const connect: Connect = shared
    ? () => ({ dispatcher: shared, reused: false, release: () => undefined })
    : (origin) => (pool as HttpConnectionPool).acquire(origin);
  return { type: 'http', run: (params, ctx) => runHttp(params, ctx, connect) };
}

async function runHttp(params: Record<string, JsonValue>, ctx: StepRunContext, connect: Connect): Promise<JsonValue> {
  const plan = planHttpRequest(params, ctx.idempotencyKey);
  const limits: Limits = {
    followRedirects: need('followRedirects', parseFollowRedirects(params.followRedirects)),
    maxBytes: need('maxResponseBytes', parseByteSize(params.maxResponseBytes)),
    isSuccess: need('successStatus', parseSuccessStatus(params.successStatus)),
  };
  if (ctx.signal.aborted) throw abortError(ctx.signal.reason);

  // Our own controller, so exceeding maxResponseBytes can abort the socket too.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const leases: ConnectionLease[] = [];
  const lease = (origin: string): ConnectionLease => {
    const l = connect(origin);
    leases.push(l);
    return l;
  };
  const startedAt = ctx.now();
  let finished = false;
  try {
    const sent = await send(plan, limits.followRedirects, controller.signal, lease);
    const output = await readResult(sent, limits, ctx.now());
    ctx.logger.debug(
      { method: sent.method, url: displayUrl(sent.url), status: sent.response.status, durationMs: ctx.now() - startedAt },
      'http step response',
    );
    finished = true;
    return output;
  } catch (err) {
    if (ctx.signal.aborted) throw abortError(ctx.signal.reason);
    if (err instanceof StepError) throw err;
    throw new StepError('network', `${plan.method} ${displayUrl(plan.url)} failed: ${describeTransportError(err)}`, { cause: err });
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    // Whatever was not read in full is abandoned: close its socket now.
    if (!finished) controller.abort();
    // Only the final response, read in full, leaves a connection fit to reuse.
    for (const [i, l] of leases.entries()) l.release(finished && i === leases.length - 1);
  }
}

async function send(plan: HttpRequestPlan, follow: boolean, signal: AbortSignal, lease: Connect): Promise<Sent> {
  let { method, url, body } = plan;
  const headers = { ...plan.headers };
  for (let hops = 0; ; hops++) {
    const response = await fetchOnLease(url, { method, headers, body, signal }, lease);
    const location = response.headers.get('location');
    if (!follow || !REDIRECT_STATUSES.has(response.status) || location === null) return { response, method, url };
    await discard(response);
    const here = `${method} ${displayUrl(url)}`;
    if (hops >= MAX_REDIRECTS) {
      throw new StepError('http_4xx', `${here}: more than ${MAX_REDIRECTS} redirects`, {
        data: { status: response.status, headers: headersToObject(response.headers), body: null },
      });
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new StepError('http_4xx', `${here}: redirect to an invalid Location ${JSON.stringify(location)}`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new StepError('http_4xx', `${here}: redirect to unsupported protocol ${next.protocol}`);
    }
    // As browsers do: 303 (and 301/302 after POST) turn into a GET without a body.
    if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = null;
      delete headers['content-type'];
    }
    if (next.origin !== url.origin) for (const name of CROSS_ORIGIN_DROPPED) delete headers[name];
    url = next;
  }
}

/** Socket errors that mean the server closed a kept-alive connection under a new request. */
const STALE_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * One request on a leased connection. When a reused connection fails before
 * any response arrived (the server closed it as the request went out; the
 * request got no answer), it is sent once more on a fresh connection, as
 * browsers do; it carries the same Idempotency-Key.
 */
async function fetchOnLease(url: URL, init: { method: string; headers: Record<string, string>; body: string | null; signal: AbortSignal }, lease: Connect): Promise<Response> {
  const first = lease(url.origin);
  try {
    return await fetch(url, { ...init, redirect: 'manual', dispatcher: first.dispatcher });
  } catch (err) {
    if (!first.reused || init.signal.aborted || !isStaleConnection(err)) throw err;
    first.release(false);
    return fetch(url, { ...init, redirect: 'manual', dispatcher: lease(url.origin).dispatcher });
  }
}

function isStaleConnection(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && STALE_CONNECTION_CODES.has(code);
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already closed or errored: nothing left to release
  }
}

async function readResult(sent: Sent, limits: Limits, now: number): Promise<JsonValue> {
  const { response, method, url } = sent;
  const { status } = response;
  const headers = headersToObject(response.headers);
  const contentType = response.headers.get('content-type');
  const declared = response.headers.get('content-length');
  const success = limits.isSuccess(status);
  const here = `${method} ${displayUrl(url)}`;

  let body: JsonValue = null;
  let bytes: Uint8Array = new Uint8Array(0);
  let truncated = false;
  if (method === 'HEAD' || status === 204 || status === 304 || declared?.trim() === '0') {
    await discard(response);
  } else {
    const encoded = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase() !== 'identity';
    if (success && !encoded && declared !== null && Number(declared) > limits.maxBytes) {
      throw tooLarge(here, limits.maxBytes, `Content-Length is ${declared}`);
    }
    const read = await readBody(response.body, limits.maxBytes);
    if (read.truncated && success) throw tooLarge(here, limits.maxBytes, 'the body was longer');
    ({ bytes, truncated } = read);
    body = decodeBody(bytes, contentType, success);
  }
  if (success) return { status, headers, body };

  const kind = status === 429 ? 'http_429' : status >= 500 ? 'http_5xx' : 'http_4xx';
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
  const snippet = bytes.byteLength > 0 ? `; body starts with ${bodySnippet(bytes, parseContentType(contentType)?.charset ?? null, 200)}` : '';
  const cut = truncated ? ` (body cut at ${limits.maxBytes} bytes)` : '';
  const message = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''} from ${here}${snippet}${cut}`;
  const options: { retryAfterMs?: number; data: JsonValue } = { data: { status, headers, body } };
  if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
  throw new StepError(kind, message, options);
}

function tooLarge(here: string, maxBytes: number, why: string): StepError {
  return new StepError('response_too_large', `${here}: response is larger than maxResponseBytes (${maxBytes} bytes): ${why}`, {
    data: { maxResponseBytes: maxBytes },
  });
}

/** The error for an aborted ctx.signal: the engine's StepError reason, or canceled. */
function abortError(reason: unknown): StepError {
  if (reason instanceof StepError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new StepError('timeout', `step timed out: ${reason.message}`, { cause: reason });
  }
  const detail = reason instanceof Error && reason.message ? `: ${reason.message}` : '';
  return new StepError('canceled', `step canceled${detail}`, { cause: reason });
}

/** "ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:4567)" from fetch's TypeError and its cause. */
function describeTransportError(err: unknown): string {
  const outer = err instanceof Error ? err : new Error(String(err));
  const cause = outer.cause instanceof Error ? outer.cause : outer;
  const code = (cause as NodeJS.ErrnoException).code;
  let message = cause.message;
  if (message === '' && cause instanceof AggregateError) {
    message = cause.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  if (message === '') message = outer.message;
  return typeof code === 'string' && !message.includes(code) ? `${code} (${message})` : message;
}
