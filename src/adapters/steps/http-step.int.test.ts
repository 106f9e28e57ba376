// Integration tests of the http step against real node:http servers on
// 127.0.0.1 (ephemeral ports): body decoding, redirects, limits, status
// mapping, deadlines that close the socket, and what the request carries.
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../domain/json.js';
import { StepError, StepTimeoutError } from '../../domain/step-error.js';
import type { Logger } from '../../ports/logger.js';
import type { StepRunContext } from '../../ports/step-runner.js';
import { createHttpStepRunner } from './http-step.js';

const REFERENCE_NOW = Date.parse('2030-01-01T00:00:00Z');

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {},
  child: () => silentLogger,
};

function ctx(over: Partial<StepRunContext> = {}): StepRunContext {
  return {
    executionId: 'exec-1', stepId: 'call', path: 'call', attempt: 1, idempotencyKey: 'exec-1:call',
    signal: new AbortController().signal, logger: silentLogger, now: () => REFERENCE_NOW, ...over,
  };
}

/** A signal aborted at the deadline with the engine's StepTimeoutError. */
function deadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(new StepTimeoutError(ms)), ms);
  return { signal: c.signal, clear: () => clearTimeout(t) };
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function listen(handler: Handler): Promise<{ server: Server; base: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, base: `http://127.0.0.1:${port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function failure(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(StepError);
    return err as StepError;
  }
  throw new Error('expected the step to fail');
}

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** Whether the promise settles within `ms` (generous bounds: this is not a timing test). */
function within(promise: Promise<unknown> | undefined, ms = 3000): Promise<boolean> {
  return Promise.race([promise?.then(() => true) ?? Promise.resolve(false), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

async function eventually(check: () => Promise<boolean>, withinMs = 3000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

const runner = createHttpStepRunner();
const run = (params: Record<string, JsonValue>, c: StepRunContext = ctx()): Promise<JsonValue> => runner.run(params, c);
type Output = { status: number; headers: Record<string, JsonValue>; body: JsonValue };

describe('the http step against a well-behaved server', () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string }[] = [];

  beforeAll(async () => {
    ({ server, base } = await listen((req, res, body) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const path = (req.url ?? '/').split('?')[0];
      switch (path) {
        case '/no-content': res.writeHead(204).end(); return;
        case '/created-empty': res.writeHead(201, { 'content-type': 'application/json', 'content-length': '0' }).end(); return;
        case '/ok': res.writeHead(200, { 'content-type': 'text/plain' }).end('OK'); return;
        case '/bad-json': res.writeHead(200, { 'content-type': 'application/json' }).end('{not json at all, and then some more text'); return;
        case '/big-int': res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"id":12345678901234567890,"small":1.5}'); return;
        case '/problem': res.writeHead(200, { 'content-type': 'application/problem+json' }).end('{"title":"x"}'); return;
        case '/gzip': res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(zlib.gzipSync('hello gzip')); return;
        case '/br': res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' }).end(zlib.brotliCompressSync('{"b":true}')); return;
        case '/deflate': res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'deflate' }).end(zlib.deflateSync('hello deflate')); return;
        case '/latin1': res.writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' }).end(Buffer.from('café déjà vu \x80', 'latin1')); return;
        case '/sjis': res.writeHead(200, { 'content-type': 'text/html; charset=Shift_JIS' }).end(Buffer.from([0x93, 0xfa, 0x96, 0x7b])); return;
        case '/png': res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])); return;
        case '/cookies': res.writeHead(200, { 'set-cookie': ['a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'b=2'], 'x-thing': 'yes' }).end(); return;
        case '/redirect': res.writeHead(302, { location: '/ok' }).end('moving'); return;
        case '/see-other': res.writeHead(303, { location: '/echo' }).end(); return;
        case '/temporary': res.writeHead(307, { location: '/echo' }).end(); return;
        case '/loop': res.writeHead(302, { location: '/loop' }).end(); return;
        case '/echo':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, headers: req.headers }));
          return;
        case '/unavailable': res.writeHead(503, { 'retry-after': '2', 'content-type': 'text/plain' }).end('down for maintenance'); return;
        case '/busy': res.writeHead(429, { 'retry-after': 'Tue, 01 Jan 2030 00:00:05 GMT' }).end(); return;
        case '/missing': res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such thing"}'); return;
        case '/teapot': res.writeHead(418, { 'content-type': 'application/json' }).end('{oops'); return;
        default: res.writeHead(500).end('unexpected path');
      }
    }));
  });
  afterAll(() => close(server));

  describe('when the response has no body', () => {
    it('gives body null for 204 No Content', async () => {
      expect(await run({ url: `${base}/no-content` })).toEqual({ status: 204, headers: expect.any(Object), body: null });
    });

    it('gives body null for 201 with Content-Length 0, even when it says JSON', async () => {
      expect(((await run({ url: `${base}/created-empty`, method: 'POST' })) as Output).body).toBeNull();
    });

    it('gives body null for a HEAD request', async () => {
      expect(((await run({ url: `${base}/ok`, method: 'HEAD' })) as Output)).toMatchObject({ status: 200, body: null });
    });
  });

  describe('when decoding the body', () => {
    it('returns text/plain as text', async () => {
      expect(((await run({ url: `${base}/ok` })) as Output).body).toBe('OK');
    });

    it('fails with invalid_json showing the first bytes when a JSON body does not parse', async () => {
      const err = await failure(run({ url: `${base}/bad-json` }));
      expect(err.kind).toBe('invalid_json');
      expect(err.message).toContain('{not json at all');
    });

    it('keeps an integer beyond 2^53 digit for digit', async () => {
      const out = (await run({ url: `${base}/big-int` })) as Output;
      expect(out.body).toEqual({ id: 12345678901234567890n, small: 1.5 });
    });

    it('parses application/*+json types as JSON', async () => {
      expect(((await run({ url: `${base}/problem` })) as Output).body).toEqual({ title: 'x' });
    });

    it('decodes gzip, brotli and deflate bodies', async () => {
      expect(((await run({ url: `${base}/gzip` })) as Output).body).toBe('hello gzip');
      expect(((await run({ url: `${base}/br` })) as Output).body).toEqual({ b: true });
      expect(((await run({ url: `${base}/deflate` })) as Output).body).toBe('hello deflate');
    });

    it('decodes text by its declared charset', async () => {
      // Browsers (WHATWG) read an ISO-8859-1 label as windows-1252: 0x80 is €.
      expect(((await run({ url: `${base}/latin1` })) as Output).body).toBe('café déjà vu €');
      expect(((await run({ url: `${base}/sjis` })) as Output).body).toBe('日本');
    });

    it('returns binary types as base64', async () => {
      expect(((await run({ url: `${base}/png` })) as Output).body).toBe(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString('base64'));
    });

    it('returns headers as a plain lowercase object with set-cookie as a list', async () => {
      const out = (await run({ url: `${base}/cookies` })) as Output;
      expect(out.headers['x-thing']).toBe('yes');
      expect(out.headers['set-cookie']).toEqual(['a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'b=2']);
    });
  });

  describe('when the server redirects', () => {
    it('follows the redirect by default', async () => {
      expect(await run({ url: `${base}/redirect` })).toMatchObject({ status: 200, body: 'OK' });
    });

    it('fails with http_4xx on the 3xx when followRedirects is false', async () => {
      const err = await failure(run({ url: `${base}/redirect`, followRedirects: false }));
      expect(err.kind).toBe('http_4xx');
      expect(err.data).toMatchObject({ status: 302, headers: { location: '/ok' }, body: 'moving' });
    });

    it('returns the 3xx as output when followRedirects is false and successStatus accepts it', async () => {
      const out = await run({ url: `${base}/redirect`, followRedirects: false, successStatus: ['2xx', '3xx'] });
      expect(out).toMatchObject({ status: 302, headers: { location: '/ok' } });
    });

    it('turns a POST into a GET on 303 and keeps it on 307', async () => {
      expect(((await run({ url: `${base}/see-other`, method: 'POST', body: { a: 1 } })) as Output).body).toMatchObject({ method: 'GET', body: '' });
      expect(((await run({ url: `${base}/temporary`, method: 'POST', body: { a: 1 } })) as Output).body).toMatchObject({ method: 'POST', body: '{"a":1}' });
    });

    it('gives up after 10 redirects', async () => {
      const err = await failure(run({ url: `${base}/loop` }));
      expect(err.kind).toBe('http_4xx');
      expect(err.message).toContain('more than 10 redirects');
    });
  });

  describe('when the status is not a success', () => {
    it('fails with http_5xx and honours Retry-After in seconds on 503', async () => {
      const err = await failure(run({ url: `${base}/unavailable` }));
      expect(err.kind).toBe('http_5xx');
      expect(err.retryAfterMs).toBe(2000);
      expect(err.message).toContain('503');
      expect(err.message).toContain('down for maintenance');
    });

    it('fails with http_429 and honours Retry-After as an HTTP date', async () => {
      const err = await failure(run({ url: `${base}/busy` }));
      expect(err.kind).toBe('http_429');
      expect(err.retryAfterMs).toBe(5000);
    });

    it('fails with http_4xx and exposes the response as data on 404', async () => {
      const err = await failure(run({ url: `${base}/missing` }));
      expect(err.kind).toBe('http_4xx');
      expect(err.data).toMatchObject({ status: 404, body: { error: 'no such thing' } });
      expect(err.message).toContain('404');
    });

    it('keeps a malformed JSON error body as text rather than failing with invalid_json', async () => {
      const err = await failure(run({ url: `${base}/teapot` }));
      expect(err.kind).toBe('http_4xx');
      expect(err.data).toMatchObject({ status: 418, body: '{oops' });
    });

    it('accepts a listed status as success', async () => {
      expect(await run({ url: `${base}/missing`, successStatus: [200, 404] })).toMatchObject({ status: 404 });
    });

    it('refuses a 2xx the user excluded', async () => {
      expect((await failure(run({ url: `${base}/no-content`, successStatus: 200 }))).kind).toBe('http_4xx');
    });
  });

  describe('what the request carries', () => {
    const lastRequest = () => seen[seen.length - 1]!;

    it('sends the Idempotency-Key from the context, the same on every attempt', async () => {
      await run({ url: `${base}/ok` }, ctx({ idempotencyKey: 'exec-9:fetch', attempt: 1 }));
      const first = lastRequest().headers?.['idempotency-key'];
      await run({ url: `${base}/ok` }, ctx({ idempotencyKey: 'exec-9:fetch', attempt: 2 }));
      expect(first).toBe('exec-9:fetch');
      expect(lastRequest().headers?.['idempotency-key']).toBe('exec-9:fetch');
    });

    it('keeps an Idempotency-Key the user set', async () => {
      await run({ url: `${base}/ok`, headers: { 'Idempotency-Key': 'mine' } });
      expect(lastRequest().headers?.['idempotency-key']).toBe('mine');
    });

    it('appends query params to those already in the URL', async () => {
      await run({ url: `${base}/ok?a=1`, query: { b: 'two words', c: [1, 2], d: null, big: 12345678901234567890n } });
      expect(lastRequest().url).toBe('/ok?a=1&b=two+words&c=1&c=2&big=12345678901234567890');
    });

    it('sends basic and bearer auth', async () => {
      await run({ url: `${base}/ok`, auth: { type: 'basic', username: 'ana', password: 'sécret' } });
      expect(lastRequest().headers?.authorization).toBe(`Basic ${Buffer.from('ana:sécret').toString('base64')}`);
      await run({ url: `${base}/ok`, auth: { type: 'bearer', token: 'tok-123' } });
      expect(lastRequest().headers?.authorization).toBe('Bearer tok-123');
    });

    it('sends an object as JSON, keeping big integers', async () => {
      const out = (await run({ url: `${base}/echo`, method: 'post', body: { n: 12345678901234567890n } })) as Output;
      expect(out.body).toMatchObject({ method: 'POST', body: '{"n":12345678901234567890}', headers: { 'content-type': 'application/json' } });
    });

    it('sends a string as text/plain unless a content-type header says otherwise', async () => {
      const plain = (await run({ url: `${base}/echo`, method: 'POST', body: 'hi' })) as Output;
      expect(plain.body).toMatchObject({ body: 'hi', headers: { 'content-type': 'text/plain; charset=utf-8' } });
      const xml = (await run({ url: `${base}/echo`, method: 'POST', body: '<a/>', headers: { 'Content-Type': 'application/xml' } })) as Output;
      expect(xml.body).toMatchObject({ body: '<a/>', headers: { 'content-type': 'application/xml' } });
    });

    it('sends a form body with bodyType form', async () => {
      const out = (await run({ url: `${base}/echo`, method: 'POST', bodyType: 'form', body: { q: 'a b&c', tag: ['x', 'y'], n: 3 } })) as Output;
      expect(out.body).toMatchObject({
        body: 'q=a+b%26c&tag=x&tag=y&n=3',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    });

    it('closes its connection when the run ends', async () => {
      await run({ url: `${base}/ok` });
      expect(await eventually(async () => (await connections(server)) === 0, 1000)).toBe(true);
    });

    it('keeps the connection in a dispatcher passed to it', async () => {
      const agent = new Agent();
      try {
        await createHttpStepRunner({ dispatcher: agent }).run({ url: `${base}/ok` }, ctx());
        await new Promise((r) => setTimeout(r, 100));
        expect(await connections(server)).toBe(1);
      } finally {
        await agent.close();
      }
    });

    it('fails with kind expression when the resolved url is not an http URL', async () => {
      expect((await failure(run({ url: 'ftp://example.com/x' }))).kind).toBe('expression');
    });
  });
});

describe('when the response is larger than maxResponseBytes', () => {
  let server: Server;
  let base: string;
  const closed: Promise<void>[] = [];

  beforeAll(async () => {
    ({ server, base } = await listen((req, res) => {
      closed.push(new Promise((resolve) => req.socket.once('close', () => resolve())));
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(50 * 1024 * 1024) });
        res.write('x'.repeat(1024));
        return; // never finishes: the client must give up on the header alone
      }
      // Chunked, no length: 1 KiB every few ms, for ever unless the client hangs up.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => res.write(Buffer.alloc(1024, 1)), 2);
      res.on('close', () => clearInterval(timer));
    }));
  });
  afterAll(() => close(server));

  it('fails with response_too_large while streaming and closes the socket', async () => {
    const err = await failure(run({ url: `${base}/stream`, maxResponseBytes: '64KiB' }));
    expect(err.kind).toBe('response_too_large');
    expect(await within(closed[closed.length - 1])).toBe(true);
  });

  it('fails early from a Content-Length above the limit', async () => {
    const err = await failure(run({ url: `${base}/declared`, maxResponseBytes: 1_000_000 }));
    expect(err.kind).toBe('response_too_large');
    expect(err.message).toContain('Content-Length');
    expect(await within(closed[closed.length - 1])).toBe(true);
  });
});

describe('when the connection fails', () => {
  it('fails with kind network on connection refused', async () => {
    const { server, base } = await listen(() => {});
    await close(server);
    const err = await failure(run({ url: `${base}/nothing-here` }));
    expect(err.kind).toBe('network');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('fails with kind network when the server drops the connection mid-body', async () => {
    const { server, base } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    try {
      expect((await failure(run({ url: `${base}/drop` }))).kind).toBe('network');
    } finally {
      await close(server);
    }
  });
});

describe('when the deadline passes', () => {
  let server: Server;
  let base: string;
  const closes = new Map<string, Promise<void>>();
  let connectionCount = 0;

  beforeAll(async () => {
    ({ server, base } = await listen((req, res) => {
      const id = new URL(req.url ?? '/', base).searchParams.get('id') ?? '';
      closes.set(id, new Promise((resolve) => req.socket.once('close', () => resolve())));
      if (req.url?.startsWith('/trickle')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        const timer = setInterval(() => res.write('x'), 1000);
        res.on('close', () => clearInterval(timer));
      }
      // '/silent': accept and never answer
    }));
    server.on('connection', () => connectionCount++);
  });
  afterAll(() => close(server));

  async function timedRun(path: string, id: string): Promise<{ err: StepError; elapsed: number }> {
    const d = deadline(2000);
    const started = Date.now();
    const err = await failure(run({ url: `${base}${path}?id=${id}` }, ctx({ signal: d.signal })));
    d.clear();
    return { err, elapsed: Date.now() - started };
  }

  it.concurrent('times out at about 2 s against a server that never answers, and closes the socket', async () => {
    const { err, elapsed } = await timedRun('/silent', 'silent');
    expect(err).toBeInstanceOf(StepTimeoutError);
    expect(err.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(6000);
    expect(await within(closes.get('silent'))).toBe(true);
  });

  it.concurrent('times out at about 2 s against a server that sends headers then one byte per second', async () => {
    const { err, elapsed } = await timedRun('/trickle', 'trickle');
    expect(err.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(6000);
    expect(await within(closes.get('trickle'))).toBe(true);
  });

  it('leaves no socket open after 20 aborted runs, and opens no spare ones', async () => {
    expect(await eventually(async () => (await connections(server)) === 0)).toBe(true);
    const opened = connectionCount;
    const runs = Array.from({ length: 20 }, async (_, i) => {
      const c = new AbortController();
      const t = setTimeout(() => c.abort(new StepTimeoutError(300)), 300);
      const err = await failure(run({ url: `${base}/${i % 2 ? 'silent' : 'trickle'}?id=many-${i}` }, ctx({ signal: c.signal })));
      clearTimeout(t);
      return err.kind;
    });
    expect(await Promise.all(runs)).toEqual(Array(20).fill('timeout'));
    // undici's shared pool would reconnect after each abort and keep those idle sockets for ~4 s.
    expect(await eventually(async () => (await connections(server)) === 0, 1000)).toBe(true);
    expect(connectionCount - opened).toBe(20);
  });

  it('fails with kind canceled when aborted without a StepError reason', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 100);
    const err = await failure(run({ url: `${base}/silent?id=cancel` }, ctx({ signal: c.signal })));
    expect(err.kind).toBe('canceled');
    expect(await within(closes.get('cancel'))).toBe(true);
  });

  it('fails at once when the signal is already aborted', async () => {
    const c = new AbortController();
    c.abort(new StepTimeoutError(10));
    expect((await failure(run({ url: `${base}/silent?id=never` }, ctx({ signal: c.signal })))).kind).toBe('timeout');
  });
});
