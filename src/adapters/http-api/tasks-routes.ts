// /v1/tasks: create, list, read, update, delete, versions and validate task
// definitions (JSON or YAML bodies). Thin: parse, call Tasker, present.
// Validation of the definition itself belongs to the use cases.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { cursorQuery, idParam, limitQuery } from './request-schemas.js';
import { presentTask, presentTaskVersion } from './presenters.js';
import { pageOf, problemResponses, TaskVersionWire, TaskWire } from './wire-schemas.js';
import { YAML_MEDIA_TYPES } from './body-parsers.js';

const consumes = ['application/json', ...YAML_MEDIA_TYPES];

const DefinitionBody = z
  .unknown()
  .refine((v) => v !== undefined, { message: 'a task definition is required' })
  .describe('a task definition: JSON, or YAML with Content-Type application/yaml (the seed format is accepted too)');

const TaskParams = z.object({ idOrName: idParam.describe('the task id or name') });

const ValidationWire = z.object({
  valid: z.boolean(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});

export function registerTaskRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['tasks'];

  app.post('/v1/tasks', {
    schema: {
      summary: 'Create a task (version 1)', tags, consumes, body: DefinitionBody,
      response: { 201: TaskWire.describe('The created task'), ...problemResponses },
    },
  }, async (request, reply) => {
    const task = await tasker.createTask(request.body);
    return reply.code(201).header('location', `/v1/tasks/${encodeURIComponent(task.id)}`).send(presentTask(task));
  });

  app.get('/v1/tasks', {
    schema: {
      summary: 'List tasks', tags,
      querystring: z.object({ limit: limitQuery, cursor: cursorQuery }),
      response: { 200: pageOf(TaskWire).describe('A page of tasks'), ...problemResponses },
    },
  }, async (request) => {
    const page = await tasker.listTasks({ limit: request.query.limit, cursor: request.query.cursor });
    return { items: page.items.map(presentTask), nextCursor: page.nextCursor };
  });

  app.post('/v1/tasks/validate', {
    schema: {
      summary: 'Check a task definition without storing it (200 with valid: false when it has problems)', tags, consumes,
      body: DefinitionBody,
      response: { 200: ValidationWire.describe('Every problem, each with a JSON-pointer path'), ...problemResponses },
    },
  }, async (request) => {
    const result = tasker.validateDefinition(request.body);
    return { valid: result.valid, errors: result.problems };
  });

  app.get('/v1/tasks/:idOrName', {
    schema: {
      summary: 'Get a task (its latest version)', tags, params: TaskParams,
      response: { 200: TaskWire.describe('The task'), ...problemResponses },
    },
  }, async (request) => presentTask(await tasker.getTask(request.params.idOrName)));

  app.put('/v1/tasks/:idOrName', {
    schema: {
      summary: 'Update a task (adds a version; running executions keep theirs)', tags, consumes, params: TaskParams, body: DefinitionBody,
      response: { 200: TaskWire.describe('The task with its new version'), ...problemResponses },
    },
  }, async (request) => presentTask(await tasker.updateTask(request.params.idOrName, request.body)));

  app.delete('/v1/tasks/:idOrName', {
    schema: {
      summary: 'Delete a task', tags, params: TaskParams,
      response: { 204: z.null().describe('Deleted'), ...problemResponses },
    },
  }, async (request, reply) => {
    await tasker.deleteTask(request.params.idOrName);
    return reply.code(204).send();
  });

  app.get('/v1/tasks/:idOrName/versions', {
    schema: {
      summary: 'List every version of a task', tags, params: TaskParams,
      response: { 200: pageOf(TaskVersionWire).describe('The versions (all of them: nextCursor is null)'), ...problemResponses },
    },
  }, async (request) => {
    const versions = await tasker.listTaskVersions(request.params.idOrName);
    return { items: versions.map(presentTaskVersion), nextCursor: null };
  });
}
