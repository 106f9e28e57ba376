import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
let scheduleId: string;
beforeAll(async () => {
  h = await startApiHarness();
  const task = await h.app.inject({
    method: 'POST',
    url: '/v1/tasks',
    payload: { name: 'monthly', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ execution.scheduledFor }}' } }] },
  });
  expect(task.statusCode).toBe(201);
  const schedule = await h.app.inject({
    method: 'POST',
    url: '/v1/schedules',
    payload: { taskId: 'monthly', cron: '0 9 1 * *', timezone: 'Europe/Berlin' },
  });
  expect(schedule.statusCode).toBe(201);
  scheduleId = json(schedule).id;
});
afterAll(async () => {
  await h?.close();
});

const backfill = (payload: unknown, id = scheduleId) => h.app.inject({ method: 'POST', url: `/v1/schedules/${id}/backfill`, payload: payload as object });

describe('POST /v1/schedules/{id}/backfill', () => {
  it('creates one execution per occurrence in a range of Berlin local time, then none for the same range', async () => {
    const first = await backfill({ from: '2019-01-01T00:00', to: '2019-03-31T23:59' });
    expect(first.statusCode).toBe(200);
    const body = json(first);
    expect(body).toMatchObject({ created: 3, skipped: 0, from: '2018-12-31T23:00:00.000Z', to: '2019-03-31T21:59:00.000Z' });
    expect(body.executionIds).toHaveLength(3);
    const runs = await Promise.all(body.executionIds.map(async (id: string) => json(await h.app.inject({ method: 'GET', url: `/v1/executions/${id}` }))));
    expect(runs.map((e) => [e.scheduledFor, e.trigger, e.scheduleId])).toEqual([
      ['2019-01-01T08:00:00.000Z', 'schedule', scheduleId],
      ['2019-02-01T08:00:00.000Z', 'schedule', scheduleId],
      ['2019-03-01T08:00:00.000Z', 'schedule', scheduleId],
    ]);

    const again = await backfill({ from: '2019-01-01T00:00', to: '2019-03-31T23:59', onlyMissed: false });
    expect(again.statusCode).toBe(200);
    expect(json(again)).toMatchObject({ created: 0, skipped: 3, executionIds: [] });
  });

  it('refuses a range of more than 1000 occurrences with a 422 problem naming /to', async () => {
    const res = await backfill({ from: '1900-01-01T00:00:00Z', to: '2000-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = json(res);
    expect(problem.code).toBe('BACKFILL_INVALID');
    expect(problem.detail).toContain('more than 1000 occurrences');
    expect(problem.errors).toEqual([{ path: '/to', message: expect.stringContaining('split it into smaller ranges') }]);
  });

  it('refuses a body with a missing or unknown field, and an unknown schedule', async () => {
    const res = await backfill({ from: '2019-01-01T00:00', onlyMised: true });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toEqual(expect.arrayContaining([{ path: '/to', message: 'is required' }, { path: '/onlyMised', message: 'is not a known field' }]));
    const missing = await backfill({ from: '2019-01-01T00:00', to: '2019-01-02T00:00' }, 'nope');
    expect(missing.statusCode).toBe(404);
    expect(json(missing).code).toBe('SCHEDULE_NOT_FOUND');
  });
});

describe('GET /v1/schedules/{id}/occurrences', () => {
  it('lists the ledger newest first with ISO instants, pages with a cursor and filters by kind', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/v1/schedules/${scheduleId}/occurrences?limit=2&kind=backfilled,missed` });
    expect(res.statusCode).toBe(200);
    const page = json(res);
    expect(page.items).toEqual([
      { instant: '2019-03-01T08:00:00.000Z', kind: 'backfilled', reason: 'backfilled on request', executionId: expect.any(String), recordedAt: expect.stringMatching(/Z$/) },
      { instant: '2019-02-01T08:00:00.000Z', kind: 'backfilled', reason: 'backfilled on request', executionId: expect.any(String), recordedAt: expect.stringMatching(/Z$/) },
    ]);
    expect(page.nextCursor).toEqual(expect.any(String));
    const next = json(await h.app.inject({ method: 'GET', url: `/v1/schedules/${scheduleId}/occurrences?limit=2&kind=backfilled&cursor=${page.nextCursor}` }));
    expect(next.items.map((o: { instant: string }) => o.instant)).toEqual(['2019-01-01T08:00:00.000Z']);
    expect(next.nextCursor).toBeNull();
    const fired = json(await h.app.inject({ method: 'GET', url: `/v1/schedules/${scheduleId}/occurrences?kind=fired` }));
    expect(fired).toEqual({ items: [], nextCursor: null });
  });

  it('refuses an unknown kind and answers 404 for an unknown schedule', async () => {
    const bad = await h.app.inject({ method: 'GET', url: `/v1/schedules/${scheduleId}/occurrences?kind=lost` });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors).toEqual([{ path: '/query/kind', message: expect.stringContaining('unknown kind "lost"') }]);
    const missing = await h.app.inject({ method: 'GET', url: '/v1/schedules/nope/occurrences' });
    expect(missing.statusCode).toBe(404);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = json(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/schedules/{id}/occurrences', '/v1/schedules/{id}/backfill']));
  });
});
