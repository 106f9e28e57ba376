import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('probes', () => {
  it('answers /healthz and /readyz when the database answers', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(json(health)).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toEqual({ status: 'ready' });
  });
});

describe('the OpenAPI document', () => {
  it('is valid JSON listing every route with a summary and responses', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = json(res);
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/v1/tasks', 'post'], ['/v1/tasks', 'get'], ['/v1/tasks/{idOrName}', 'get'], ['/v1/tasks/{idOrName}', 'put'],
      ['/v1/tasks/{idOrName}', 'delete'], ['/v1/tasks/{idOrName}/versions', 'get'], ['/v1/tasks/validate', 'post'],
      ['/v1/tasks/{idOrName}/executions', 'post'], ['/v1/executions', 'get'], ['/v1/executions/{id}', 'get'],
      ['/v1/executions/{id}/cancel', 'post'], ['/v1/schedules', 'post'], ['/v1/schedules', 'get'],
      ['/v1/schedules/{id}', 'get'], ['/v1/schedules/{id}', 'patch'], ['/v1/schedules/{id}', 'delete'],
      ['/v1/schedules/{id}/pause', 'post'], ['/v1/schedules/{id}/resume', 'post'], ['/v1/schedules/{id}/trigger', 'post'],
      ['/v1/schedules/{id}/next', 'get'], ['/v1/cron/next', 'get'], ['/v1/storage/{namespace}/{key}', 'get'],
      ['/v1/storage/{namespace}/{key}', 'put'], ['/v1/storage/{namespace}/{key}', 'delete'], ['/healthz', 'get'],
      ['/readyz', 'get'], ['/task/', 'post'], ['/task/{taskID}', 'get'], ['/schedule/', 'post'],
      ['/task/{taskID}/execute/{scheduleID}', 'post'], ['/jobs/execute-scheduled-tasks', 'post'],
    ];
    for (const [path, method] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(operation.summary, `${method.toUpperCase()} ${path} summary`).toEqual(expect.any(String));
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
    }
    expect(doc.paths['/openapi.json']).toBeUndefined();
    const cronParams = doc.paths['/v1/cron/next'].get.parameters.map((p: { name: string }) => p.name);
    expect(cronParams).toEqual(expect.arrayContaining(['expr', 'tz', 'from', 'count']));
  });

  it('is browsable at /docs', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('GET /', () => {
  it('redirects (302) to the API reference at /docs, and is not in the OpenAPI document', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/docs');
    const doc = json(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(doc.paths['/']).toBeUndefined();
  });
});

describe('when an API token is set', () => {
  it('requires the bearer token on /v1 and seed routes, and leaves probes and docs open', async () => {
    const app = await h.server({ apiToken: 's3cret' });
    const missing = await app.inject({ method: 'GET', url: '/v1/tasks' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(json(missing)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const wrong = await app.inject({ method: 'GET', url: '/v1/tasks', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const seed = await app.inject({ method: 'POST', url: '/task/', payload: { name: 'x', steps: [] } });
    expect(seed.statusCode).toBe(401);
    const ok = await app.inject({ method: 'GET', url: '/v1/tasks', headers: { authorization: 'Bearer s3cret' } });
    expect(ok.statusCode).toBe(200);
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs/']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(302);
  });
});
