// Body decoding rules and header helpers, on bytes in memory (the wire is
// covered by http-step.int.test.ts).
import { describe, expect, it } from 'vitest';
import { Headers } from 'undici';
import { StepError } from '../../domain/step-error.js';
import { decodeBody, headersToObject, parseContentType, parseRetryAfter, readBody } from './http-response.js';

const bytes = (text: string, enc: BufferEncoding = 'utf8'): Uint8Array => Buffer.from(text, enc);

describe('decodeBody', () => {
  it('gives null for an empty body whatever the type', () => {
    expect(decodeBody(new Uint8Array(0), 'application/json', true)).toBeNull();
    expect(decodeBody(new Uint8Array(0), 'text/plain', true)).toBeNull();
  });

  it('parses JSON losslessly and fails with invalid_json when strict', () => {
    expect(decodeBody(bytes('[9007199254740993]'), 'application/json', true)).toEqual([9007199254740993n]);
    const err = (() => {
      try {
        decodeBody(bytes('<html>oops</html>'), 'application/vnd.api+json', true);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).kind).toBe('invalid_json');
    expect((err as StepError).message).toContain('"<html>oops</html>"');
  });

  it('keeps an unparsable JSON body as text when not strict', () => {
    expect(decodeBody(bytes('{oops'), 'application/json', false)).toBe('{oops');
  });

  it('decodes windows-1252 text and falls back to UTF-8 for an unknown charset', () => {
    expect(decodeBody(Buffer.from([0x80, 0x20, 0x93, 0x61, 0x94]), 'text/plain; charset=windows-1252', true)).toBe('€ “a”');
    expect(decodeBody(bytes('héllo'), 'text/plain; charset=x-unheard-of', true)).toBe('héllo');
  });

  it('returns binary as base64 and sniffs UTF-8 when there is no content type', () => {
    expect(decodeBody(Buffer.from([0xff, 0x00]), 'application/octet-stream', true)).toBe('/wA=');
    expect(decodeBody(bytes('plain'), null, true)).toBe('plain');
    expect(decodeBody(Buffer.from([0xff, 0xfe, 0x00]), null, true)).toBe('//4A');
  });
});

describe('response helpers', () => {
  it('parses a content type with a quoted charset', () => {
    expect(parseContentType('Text/HTML; Charset="Shift_JIS"')).toEqual({ essence: 'text/html', charset: 'shift_jis' });
  });

  it('reads Retry-After as seconds or as an HTTP date from now', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('lists set-cookie values separately', () => {
    const h = new Headers([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['X-A', '1']]);
    expect(headersToObject(h)).toEqual({ 'x-a': '1', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('stops reading past the limit and says it was truncated', async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(10));
      },
    });
    const read = await readBody(stream, 25);
    expect(read).toMatchObject({ truncated: true });
    expect(read.bytes.byteLength).toBe(25);
  });
});

describe('windows-1252 text', () => {
  it('decodes 0x80-0x9F as the WHATWG table says, for the latin1 labels too', () => {
    const raw = Buffer.from([0x80, 0x20, 0x93, 0x61, 0x94, 0x96, 0x99, 0x81, 0xe9]);
    for (const label of ['windows-1252', 'ISO-8859-1', 'latin1', 'us-ascii']) {
      expect(decodeBody(raw, `text/plain; charset=${label}`, true)).toBe('€ “a”–™\u0081é');
    }
  });
});
