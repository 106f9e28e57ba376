import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/tasks',
    payload: { name: 'nightly', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input }}' } }] },
  });
  expect(res.statusCode).toBe(201);
});
afterAll(async () => {
  await h?.close();
});

describe('schedules', () => {
  it('creates, reads, changes, pauses, resumes, previews and deletes a schedule', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/v1/schedules',
      payload: { taskId: 'nightly', name: 'every-night', cron: '0 3 * * *', timezone: 'Europe/Paris', catchupWindow: '2h', jitter: 500, input: { a: 1 } },
    });
    expect(created.statusCode).toBe(201);
    const schedule = json(created);
    expect(schedule).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Paris', enabled: true, catchupWindow: 7_200_000, jitter: 500, input: { a: 1 } });
    expect(schedule.nextFireAt).toMatch(/^\d{4}-\d\d-\d\dT0[12]:00:00\.000Z$/);
    expect(created.headers.location).toBe(`/v1/schedules/${schedule.id}`);

    expect(json(await h.app.inject({ method: 'GET', url: `/v1/schedules/${schedule.id}` })).id).toBe(schedule.id);
    const list = json(await h.app.inject({ method: 'GET', url: '/v1/schedules?task=nightly' }));
    expect(list.items.map((s: { id: string }) => s.id)).toContain(schedule.id);

    const patched = await h.app.inject({ method: 'PATCH', url: `/v1/schedules/${schedule.id}`, payload: { cron: '30 4 * * *' } });
    expect(patched.statusCode).toBe(200);
    expect(json(patched).cron).toBe('30 4 * * *');

    const paused = await h.app.inject({ method: 'POST', url: `/v1/schedules/${schedule.id}/pause` });
    expect(json(paused).enabled).toBe(false);
    const resumed = await h.app.inject({ method: 'POST', url: `/v1/schedules/${schedule.id}/resume` });
    expect(json(resumed).enabled).toBe(true);

    const next = await h.app.inject({ method: 'GET', url: `/v1/schedules/${schedule.id}/next?count=3` });
    expect(next.statusCode).toBe(200);
    const times: string[] = json(next).times;
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toMatch(/T0[23]:30:00\.000Z$/);
    expect(Date.parse(times[1] as string)).toBeGreaterThan(Date.parse(times[0] as string));

    const triggered = await h.app.inject({ method: 'POST', url: `/v1/schedules/${schedule.id}/trigger` });
    expect(triggered.statusCode).toBe(202);
    expect(json(triggered)).toMatchObject({ taskId: schedule.taskId, input: { a: 1 } });

    expect((await h.app.inject({ method: 'DELETE', url: `/v1/schedules/${schedule.id}` })).statusCode).toBe(204);
    const gone = await h.app.inject({ method: 'GET', url: `/v1/schedules/${schedule.id}` });
    expect(gone.statusCode).toBe(404);
    expect(json(gone).code).toBe('SCHEDULE_NOT_FOUND');
  });

  it('refuses an invalid schedule with a 4xx problem that names the fields', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/schedules', payload: { taskId: 'nightly', cron: 'every day', timezone: 'Mars/Olympus' } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const paths = json(res).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/cron', '/timezone']));
  });

  it('refuses a body that is not an object', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/schedules', payload: '[1]', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(json(res).code).toBe('REQUEST_INVALID');
  });
});

describe('GET /v1/cron/next', () => {
  it('previews the next instants of any expression in a zone', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/cron/next?expr=0%209%20*%20*%20MON&tz=Europe/Paris&from=2025-01-01T00:00:00Z&count=2' });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ times: ['2025-01-06T08:00:00.000Z', '2025-01-13T08:00:00.000Z'] });
  });

  it('answers an invalid expression with 422 CRON_INVALID', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/cron/next?expr=61%20*%20*%20*%20*' });
    expect(res.statusCode).toBe(422);
    expect(json(res).code).toBe('CRON_INVALID');
  });

  it('reports a missing expression and a bad from with their query paths', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/cron/next?from=yesterday' });
    expect(res.statusCode).toBe(400);
    const paths = json(res).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/query/expr', '/query/from']));
  });
});

describe('storage', () => {
  it('stores and reads back integers beyond 2^53 digit for digit', async () => {
    const body = '{"value":{"big":12345678901234567890123,"list":[9007199254740993,-9007199254740995],"small":1.5}}';
    const put = await h.app.inject({ method: 'PUT', url: '/v1/storage/default/big-one', payload: body, headers: { 'content-type': 'application/json' } });
    expect(put.statusCode).toBe(200);
    expect(put.body).toContain('"big":12345678901234567890123');
    const get = await h.app.inject({ method: 'GET', url: '/v1/storage/default/big-one' });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('{"namespace":"default","key":"big-one","value":{"big":12345678901234567890123,"list":[9007199254740993,-9007199254740995],"small":1.5},"expiresAt":null}');
  });

  it('gives an entry with a ttl an expiry instant, and deletes it', async () => {
    const put = await h.app.inject({ method: 'PUT', url: '/v1/storage/ns1/k', payload: { value: 'v', ttl: '1h' } });
    const entry = json(put);
    expect(entry).toMatchObject({ namespace: 'ns1', key: 'k', value: 'v' });
    const inMs = Date.parse(entry.expiresAt) - Date.now();
    expect(inMs).toBeGreaterThan(50 * 60_000);
    expect(inMs).toBeLessThan(70 * 60_000);
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/storage/ns1/k' })).statusCode).toBe(204);
    const gone = await h.app.inject({ method: 'GET', url: '/v1/storage/ns1/k' });
    expect(gone.statusCode).toBe(404);
    expect(json(gone).code).toBe('STORAGE_KEY_NOT_FOUND');
  });

  it('requires a value and a valid ttl', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/v1/storage/ns1/k', payload: { ttl: 'forever' } });
    expect(res.statusCode).toBe(400);
    const paths = json(res).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/value', '/ttl']));
  });
});
