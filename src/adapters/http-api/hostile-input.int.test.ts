// Hostile or absurd requests found by review: each once answered 500 or hung.
// Every one must be a 4xx problem+json naming what is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
  await api.runtime.tasker.createTask({ name: 'x', steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] });
});

afterAll(async () => api.close());

const cases: [string, 'GET' | 'POST', string, string | undefined, string | undefined, number][] = [
  ['an input nested 5000 levels deep', 'POST', '/v1/tasks/x/executions', `{"input":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, 'application/json', 400],
  ['an input nested 100000 levels deep', 'POST', '/v1/tasks/x/executions', `{"input":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'application/json', 400],
  ['a YAML alias that contains itself', 'POST', '/v1/tasks', 'input: &a [*a]\nname: y\nsteps: []', 'application/yaml', 400],
  ['a cron preview from the year 275760', 'GET', '/v1/cron/next?expr=*+*+*+*+*&from=%2B275760-09-13T00:00:00Z', undefined, undefined, 400],
  ['a cron preview from epoch ms beyond any date', 'GET', '/v1/cron/next?expr=*+*+*+*+*&from=99999999999999999999', undefined, undefined, 400],
  ['a schedule starting in the year 275760', 'POST', '/v1/schedules', JSON.stringify({ taskId: 'x', cron: '* * * * *', startAt: '+275760-09-13T00:00:00Z' }), 'application/json', 422],
  ['a URL with a broken %-escape', 'GET', '/v1/tasks/%ZZ', undefined, undefined, 400],
];

describe('hostile requests', () => {
  it.each(cases)('%s: a 4xx problem, never a 500', async (_name, method, url, payload, contentType, status) => {
    const res = await api.app.inject({ method, url, ...(payload !== undefined ? { payload, headers: { 'content-type': contentType ?? 'application/json' } } : {}) });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body).detail).toBeTruthy();
  });
});
