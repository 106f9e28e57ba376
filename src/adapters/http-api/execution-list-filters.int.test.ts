// GET /v1/executions filters through the API: task, status, schedule,
// trigger and a creation time range, paged with cursors; bad values are 400
// with the path of the parameter at fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
/** Execution ids in creation order, with their createdAt (ISO) and how they were started. */
const started: { id: string; createdAt: string; trigger: string }[] = [];
let scheduleId: string;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  h = await startApiHarness();
  const task = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: { name: 'echo', steps: [{ id: 'echo', type: 'transform', params: { value: '{{ input }}' } }] } });
  expect(task.statusCode).toBe(201);
  const schedule = await h.app.inject({ method: 'POST', url: '/v1/schedules', payload: { taskId: 'echo', cron: '0 0 1 1 *', input: { from: 'schedule' } } });
  expect(schedule.statusCode).toBe(201);
  scheduleId = json(schedule).id;
  // Alternate api and manual (schedule trigger) starts, a few ms apart so each has its own createdAt.
  for (let i = 0; i < 6; i++) {
    const res = i % 2 === 0
      ? await h.app.inject({ method: 'POST', url: '/v1/tasks/echo/executions', payload: { input: { i } } })
      : await h.app.inject({ method: 'POST', url: `/v1/schedules/${scheduleId}/trigger` });
    expect(res.statusCode).toBe(202);
    const e = json(res);
    started.push({ id: e.id, createdAt: e.createdAt, trigger: e.trigger });
    await pause(3);
  }
});
afterAll(async () => {
  await h?.close();
});

async function list(query: string): Promise<string[]> {
  const res = await h.app.inject({ method: 'GET', url: `/v1/executions?${query}` });
  expect(res.statusCode).toBe(200);
  return json(res).items.map((e: { id: string }) => e.id);
}

const newestFirst = (pick: (e: (typeof started)[number], i: number) => boolean) =>
  started.filter(pick).map((e) => e.id).reverse();

describe('listing executions with filters', () => {
  it('filters by trigger, alone and with a schedule', async () => {
    expect(started.map((e) => e.trigger)).toEqual(['api', 'manual', 'api', 'manual', 'api', 'manual']);
    expect(await list('trigger=api')).toEqual(newestFirst((e) => e.trigger === 'api'));
    expect(await list('trigger=manual')).toEqual(newestFirst((e) => e.trigger === 'manual'));
    expect(await list(`trigger=manual&schedule=${scheduleId}`)).toEqual(newestFirst((e) => e.trigger === 'manual'));
    expect(await list(`trigger=api&schedule=${scheduleId}`)).toEqual([]);
    expect(await list('trigger=retry')).toEqual([]);
  });

  it('filters by a creation range: from inclusive, to exclusive, ISO instants', async () => {
    const [, second, , fourth] = started;
    const from = encodeURIComponent(second!.createdAt);
    const to = encodeURIComponent(fourth!.createdAt);
    expect(await list(`from=${from}&to=${to}`)).toEqual(newestFirst((_, i) => i === 1 || i === 2));
    expect(await list(`from=${from}`)).toEqual(newestFirst((_, i) => i >= 1));
    expect(await list(`to=${from}`)).toEqual(newestFirst((_, i) => i === 0));
    expect(await list(`from=${from}&trigger=api&task=echo`)).toEqual(newestFirst((e, i) => i >= 1 && e.trigger === 'api'));
  });

  it('pages through a filtered list with cursors', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { statusCode: number; body: string } = await h.app.inject({
        method: 'GET',
        url: `/v1/executions?trigger=api&limit=1&from=${encodeURIComponent(started[0]!.createdAt)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      });
      expect(res.statusCode).toBe(200);
      const page = json<{ items: { id: string }[]; nextCursor: string | null }>(res);
      expect(page.items.length).toBeLessThanOrEqual(1);
      ids.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual(newestFirst((e) => e.trigger === 'api'));
  });

  it('answers 400 with the parameter path for a bad instant, trigger or an empty range', async () => {
    const badFrom = await h.app.inject({ method: 'GET', url: '/v1/executions?from=yesterday' });
    expect(badFrom.statusCode).toBe(400);
    expect(json(badFrom).code).toBe('REQUEST_INVALID');
    expect(json(badFrom).errors).toEqual([{ path: '/query/from', message: expect.stringContaining('ISO-8601') }]);
    const badTrigger = await h.app.inject({ method: 'GET', url: '/v1/executions?trigger=cron' });
    expect(badTrigger.statusCode).toBe(400);
    expect(json(badTrigger).errors).toEqual([expect.objectContaining({ path: '/query/trigger' })]);
    const empty = await h.app.inject({ method: 'GET', url: '/v1/executions?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z' });
    expect(empty.statusCode).toBe(400);
    expect(json(empty).errors).toEqual([{ path: '/query/to', message: 'must be after from' }]);
  });
});
