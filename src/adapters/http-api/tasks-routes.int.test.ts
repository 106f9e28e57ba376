import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApiHarness, type ApiHarness } from '../../../test/support/api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

const definition = (name: string, value = '{{ input }}') => ({
  name,
  steps: [{ id: 'echo', type: 'transform', params: { value } }],
});

describe('POST /v1/tasks', () => {
  it('creates a task from JSON and answers 201 with its wire shape', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: definition('create-json') });
    expect(res.statusCode).toBe(201);
    const task = json(res);
    expect(task).toMatchObject({ name: 'create-json', version: 1 });
    expect(typeof task.id).toBe('string');
    expect(task.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.headers.location).toBe(`/v1/tasks/${task.id}`);
  });

  it('creates a task from a YAML body', async () => {
    const yaml = 'name: create-yaml\nsteps:\n  - id: echo\n    type: transform\n    params:\n      value: "{{ input }}"\n';
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: yaml, headers: { 'content-type': 'application/yaml' } });
    expect(res.statusCode).toBe(201);
    expect(json(res).definition.steps[0].id).toBe('echo');
  });

  it('answers an invalid definition with 422 problem+json listing every problem with its path', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/tasks',
      payload: {
        name: 'bad name!',
        steps: [
          { id: 'a', type: 'no-such-type', params: {} },
          { id: 'a', type: 'transform', params: { value: 1 }, timeout: 'soon' },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = json(res);
    expect(problem).toMatchObject({ status: 422, code: 'DEFINITION_INVALID', title: expect.any(String), type: expect.any(String) });
    const paths = problem.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/name', '/steps/0/type', '/steps/1/timeout']));
    expect(paths.some((p: string) => p.startsWith('/steps/1'))).toBe(true);
    expect(problem.errors.length).toBeGreaterThanOrEqual(4);
    for (const e of problem.errors) expect(typeof e.message).toBe('string');
  });

  it('answers malformed JSON with 400 BODY_MALFORMED', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ status: 400, code: 'BODY_MALFORMED' });
  });

  it('answers malformed YAML with 400 BODY_MALFORMED', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: 'name: [unclosed\n', headers: { 'content-type': 'application/yaml' } });
    expect(res.statusCode).toBe(400);
    expect(json(res).code).toBe('BODY_MALFORMED');
  });

  it('answers a body over the limit with 413 BODY_TOO_LARGE', async () => {
    const small = await h.server({ bodyLimitBytes: 2048 });
    const big = definition('too-big', 'x'.repeat(5000));
    const res = await small.inject({ method: 'POST', url: '/v1/tasks', payload: big });
    expect(res.statusCode).toBe(413);
    expect(json(res)).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(415);
    expect(json(res).code).toBe('MEDIA_TYPE_UNSUPPORTED');
  });

  it('refuses a second task with the same name with 409', async () => {
    await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: definition('twice') });
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: definition('twice') });
    expect(res.statusCode).toBe(409);
    expect(json(res).code).toBe('TASK_NAME_TAKEN');
  });
});

describe('reading, updating and deleting tasks', () => {
  it('gets a task by id and by name, updates it to version 2 and lists both versions', async () => {
    const created = json((await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: definition('crud') })));
    const byId = await h.app.inject({ method: 'GET', url: `/v1/tasks/${created.id}` });
    const byName = await h.app.inject({ method: 'GET', url: '/v1/tasks/crud' });
    expect(json(byId)).toEqual(created);
    expect(json(byName)).toEqual(created);

    const updated = await h.app.inject({ method: 'PUT', url: '/v1/tasks/crud', payload: definition('crud', '{{ input.x }}') });
    expect(updated.statusCode).toBe(200);
    expect(json(updated)).toMatchObject({ id: created.id, version: 2 });

    const versions = await h.app.inject({ method: 'GET', url: '/v1/tasks/crud/versions' });
    expect(versions.statusCode).toBe(200);
    expect(json(versions).items.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);
    expect(json(versions).nextCursor).toBeNull();

    const deleted = await h.app.inject({ method: 'DELETE', url: '/v1/tasks/crud' });
    expect(deleted.statusCode).toBe(204);
    const gone = await h.app.inject({ method: 'GET', url: `/v1/tasks/${created.id}` });
    expect(gone.statusCode).toBe(404);
    expect(json(gone)).toMatchObject({ status: 404, code: 'TASK_NOT_FOUND' });
  });

  it('lists tasks a page at a time with a cursor', async () => {
    for (const n of [1, 2, 3]) await h.app.inject({ method: 'POST', url: '/v1/tasks', payload: definition(`page-${n}`) });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await h.app.inject({ method: 'GET', url: `/v1/tasks?limit=2${query}` });
      expect(res.statusCode).toBe(200);
      const page: { items: { name: string }[]; nextCursor: string | null } = json(res);
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const t of page.items) seen.add(t.name);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect([...seen]).toEqual(expect.arrayContaining(['page-1', 'page-2', 'page-3']));
  });

  it('reports a bad limit as a 400 problem pointing at the query parameter', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/tasks?limit=lots' });
    expect(res.statusCode).toBe(400);
    expect(json(res)).toMatchObject({ code: 'REQUEST_INVALID', errors: [{ path: '/query/limit', message: expect.any(String) }] });
  });
});

describe('POST /v1/tasks/validate', () => {
  it('answers 200 with valid: true for a good definition, stores nothing', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks/validate', payload: definition('only-checked') });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ valid: true, errors: [] });
    expect((await h.app.inject({ method: 'GET', url: '/v1/tasks/only-checked' })).statusCode).toBe(404);
  });

  it('answers 200 with valid: false and every problem for a bad one', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/tasks/validate', payload: { name: 'x', steps: [{ id: '1bad', type: 'nope' }] } });
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body.valid).toBe(false);
    expect(body.errors.length).toBeGreaterThanOrEqual(2);
    expect(body.errors.every((e: { path: string }) => e.path.startsWith('/steps/0'))).toBe(true);
  });
});

describe('unknown routes', () => {
  it('answers 404 problem+json', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'no route for GET /v1/nothing-here', errors: [] });
  });
});
