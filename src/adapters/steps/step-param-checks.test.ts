// The static params checks the validator runs for built-in step types.
import { describe, expect, it } from 'vitest';
import { BUILTIN_STEP_PARAM_CHECKS } from './step-param-checks.js';

const check = (type: string, params: Record<string, unknown>) => BUILTIN_STEP_PARAM_CHECKS[type]!(params);

describe('the http params check', () => {
  it('accepts a plain request and templates anywhere a value is expected', () => {
    expect(check('http', { url: 'https://api.example.com/x', method: 'post', body: { a: 1 } })).toEqual([]);
    expect(check('http', {
      url: '{{ input.base }}/x', method: '{{ input.method }}', headers: '{{ input.headers }}', query: { a: '{{ input.a }}' },
      successStatus: ['2xx', '{{ input.extra }}'], maxResponseBytes: '{{ input.max }}', followRedirects: '{{ input.f }}',
      auth: '{{ input.auth }}', bodyType: '{{ input.bt }}',
    })).toEqual([]);
  });

  it('reports every problem with a path relative to params', () => {
    const problems = check('http', {
      method: 'BREW', headers: { 'Bad Name': 'x' }, successStatus: 'ok', maxResponseBytes: -1,
      followRedirects: 'yes', auth: { type: 'bearer' }, bodyType: 'xml', methd: 'GET',
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/auth/token', '/bodyType', '/followRedirects', '/headers/Bad Name', '/maxResponseBytes', '/methd', '/method', '/successStatus', '/url',
    ]);
    expect(problems.find((p) => p.path === '/url')?.message).toContain('is required');
  });

  it('refuses a body on a literal GET and a non-http URL', () => {
    expect(check('http', { url: 'http://h', body: 'x' })).toEqual([{ path: '/body', message: expect.stringContaining('GET request cannot have a body') }]);
    expect(check('http', { url: 'ftp://h/x' })).toEqual([{ path: '/url', message: expect.stringContaining('http(s) URL') }]);
  });
});

describe('the other params checks', () => {
  it('require the key of storage steps and the value of a write', () => {
    expect(check('storage.read', {})).toEqual([{ path: '/key', message: expect.stringContaining('is required') }]);
    expect(check('storage.write', { key: 'k' })).toEqual([{ path: '/value', message: expect.stringContaining('null') }]);
    expect(check('storage.write', { key: 'k', value: null, ttl: '1h' })).toEqual([]);
    expect(check('storage.write', { key: 'k', value: 1, ttl: 'soon' })[0]?.path).toBe('/ttl');
    expect(check('storage.delete', { key: '{{ input.k }}', namespace: '' })[0]?.path).toBe('/namespace');
  });

  it('require duration or until (not both) on delay', () => {
    expect(check('delay', { duration: '5m' })).toEqual([]);
    expect(check('delay', { until: '2030-01-01T09:00:00Z' })).toEqual([]);
    expect(check('delay', {})).toHaveLength(1);
    expect(check('delay', { duration: '5m', until: '2030-01-01T09:00:00Z' })[0]?.path).toBe('/until');
    expect(check('delay', { duration: 'soon' })[0]?.message).toContain('expected a duration');
    expect(check('delay', { until: 'tomorrow' })[0]?.path).toBe('/until');
  });

  it('require message on log and fail, and a known log level', () => {
    expect(check('log', {})[0]?.path).toBe('/message');
    expect(check('log', { message: 'x', level: 'loud' })[0]?.path).toBe('/level');
    expect(check('fail', { message: '{{ error.message }}', data: { a: 1 } })).toEqual([]);
    expect(check('fail', {})[0]?.path).toBe('/message');
    expect(check('transform', {})[0]?.path).toBe('/value');
  });
});
