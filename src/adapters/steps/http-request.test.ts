// How resolved params become the request: URL and query, headers, auth, body
// encoding, and the param errors only templates can cause.
import { describe, expect, it } from 'vitest';
import { planHttpRequest } from './http-request.js';

const plan = (params: Parameters<typeof planHttpRequest>[0], key = 'exec:step') => planHttpRequest(params, key);

describe('planHttpRequest', () => {
  it('defaults to GET with Idempotency-Key, accept-encoding and user-agent headers', () => {
    const p = plan({ url: 'http://h/x' });
    expect(p.method).toBe('GET');
    expect(p.body).toBeNull();
    expect(p.headers).toMatchObject({ 'idempotency-key': 'exec:step', 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'tasker' });
  });

  it('lowercases header names and lets the user override defaults', () => {
    const p = plan({ url: 'http://h/x', headers: { 'User-Agent': 'me', 'X-N': 3, 'X-Skip': null } });
    expect(p.headers['user-agent']).toBe('me');
    expect(p.headers['x-n']).toBe('3');
    expect('x-skip' in p.headers).toBe(false);
  });

  it('encodes bodies by type: JSON, text, form, and a form content-type header', () => {
    expect(plan({ url: 'http://h', method: 'POST', body: [1, true] })).toMatchObject({ body: '[1,true]', headers: { 'content-type': 'application/json' } });
    expect(plan({ url: 'http://h', method: 'POST', body: 'x', bodyType: 'json' }).body).toBe('"x"');
    expect(plan({ url: 'http://h', method: 'POST', body: { a: 1 }, bodyType: 'text' }).body).toBe('{"a":1}');
    expect(plan({
      url: 'http://h', method: 'POST', body: { a: 'x y', b: null, c: { d: 1 } },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    }).body).toBe('a=x+y&b=&c=%7B%22d%22%3A1%7D');
  });

  it('turns credentials in the URL into basic auth', () => {
    const p = plan({ url: 'http://ana:p%40ss@h/x' });
    expect(p.url.href).toBe('http://h/x');
    expect(p.headers.authorization).toBe(`Basic ${Buffer.from('ana:p@ss').toString('base64')}`);
  });

  it('refuses what only a template could produce, naming the param', () => {
    expect(() => plan({ url: 'not a url' })).toThrow(/params\.url/);
    expect(() => plan({ url: 'http://h', method: 'BREW' })).toThrow(/params\.method/);
    expect(() => plan({ url: 'http://h', body: { a: 1 } })).toThrow(/GET request cannot have a body/);
    expect(() => plan({ url: 'http://h', headers: { 'X-A': 'a\r\nX-B: b' } })).toThrow(/line breaks/);
    expect(() => plan({ url: 'http://h', headers: { 'X-A': 'é🎉' } })).toThrow(/params\.headers\.X-A: header values may only hold Latin-1/);
    expect(() => plan({ url: 'http://h', auth: { type: 'digest' } })).toThrow(/params\.auth/);
    expect(() => plan({ url: 'http://h', method: 'POST', body: [1], bodyType: 'form' })).toThrow(/form body/);
  });
});
