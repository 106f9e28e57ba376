// /v1/schedules: cron schedules of tasks. Bodies are passed to the use cases
// as sent (they validate fields and report every problem); this module only
// checks that a body is an object, and presents the answers.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { countQuery, cursorQuery, idParam, limitQuery } from './request-schemas.js';
import { presentExecution, presentSchedule, presentTimes } from './presenters.js';
import { ExecutionWire, pageOf, problemResponses, ScheduleWire, TimesWire } from './wire-schemas.js';
import { YAML_MEDIA_TYPES } from './body-parsers.js';

const consumes = ['application/json', ...YAML_MEDIA_TYPES];

const ScheduleFields = {
  taskId: z.string().describe('the task id or name'),
  name: z.string(),
  cron: z.string().describe('5 fields, 6 with seconds first, or @daily etc.'),
  timezone: z.string().describe('IANA zone, default UTC'),
  enabled: z.boolean(),
  input: z.unknown(),
  overlap: z.enum(['skip', 'allow', 'queue', 'cancel_previous']),
  catchup: z.enum(['latest', 'none', 'all']),
  catchupWindow: z.union([z.number(), z.string()]).describe('a duration: milliseconds or 10s, 5m, 1h'),
  startAt: z.union([z.string(), z.number()]).nullable().describe('ISO-8601 instant'),
  endAt: z.union([z.string(), z.number()]).nullable().describe('ISO-8601 instant'),
  jitter: z.union([z.number(), z.string()]).describe('a duration: milliseconds or 10s, 5m, 1h'),
};

/** Documents the fields; the use case validates them (unknown fields included). */
const ScheduleBody = z.looseObject(ScheduleFields).partial();
const CreateBody = ScheduleBody.describe('taskId and cron are required');

const ScheduleParams = z.object({ id: idParam });

export function registerScheduleRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['schedules'];

  app.post('/v1/schedules', {
    schema: {
      summary: 'Create a schedule', tags, consumes, body: CreateBody,
      response: { 201: ScheduleWire.describe('The created schedule'), ...problemResponses },
    },
  }, async (request, reply) => {
    const schedule = await tasker.createSchedule(request.body);
    return reply.code(201).header('location', `/v1/schedules/${encodeURIComponent(schedule.id)}`).send(presentSchedule(schedule));
  });

  app.get('/v1/schedules', {
    schema: {
      summary: 'List schedules', tags,
      querystring: z.object({ task: z.string().min(1).optional().describe('a task id or name'), limit: limitQuery, cursor: cursorQuery }),
      response: { 200: pageOf(ScheduleWire).describe('A page of schedules'), ...problemResponses },
    },
  }, async (request) => {
    const { task, limit, cursor } = request.query;
    const page = await tasker.listSchedules({ task, limit, cursor });
    return { items: page.items.map(presentSchedule), nextCursor: page.nextCursor };
  });

  app.get('/v1/schedules/:id', {
    schema: {
      summary: 'Get a schedule', tags, params: ScheduleParams,
      response: { 200: ScheduleWire.describe('The schedule'), ...problemResponses },
    },
  }, async (request) => presentSchedule(await tasker.getSchedule(request.params.id)));

  app.patch('/v1/schedules/:id', {
    schema: {
      summary: 'Change some fields of a schedule', tags, consumes, params: ScheduleParams, body: ScheduleBody,
      response: { 200: ScheduleWire.describe('The schedule after the change'), ...problemResponses },
    },
  }, async (request) => presentSchedule(await tasker.updateSchedule(request.params.id, request.body)));

  app.delete('/v1/schedules/:id', {
    schema: {
      summary: 'Delete a schedule', tags, params: ScheduleParams,
      response: { 204: z.null().describe('Deleted'), ...problemResponses },
    },
  }, async (request, reply) => {
    await tasker.deleteSchedule(request.params.id);
    return reply.code(204).send();
  });

  for (const [action, enabled] of [['pause', false], ['resume', true]] as const) {
    app.post(`/v1/schedules/:id/${action}`, {
      schema: {
        summary: enabled ? 'Resume a paused schedule' : 'Pause a schedule (no fires until resumed)', tags, params: ScheduleParams,
        response: { 200: ScheduleWire.describe('The schedule'), ...problemResponses },
      },
    }, async (request) => presentSchedule(await tasker.setScheduleEnabled(request.params.id, enabled)));
  }

  app.post('/v1/schedules/:id/trigger', {
    schema: {
      summary: "Start one execution of the schedule's task now", tags, params: ScheduleParams,
      response: { 202: ExecutionWire.describe('The execution'), ...problemResponses },
    },
  }, async (request, reply) => {
    const execution = await tasker.triggerSchedule(request.params.id);
    return reply.code(202).header('location', `/v1/executions/${encodeURIComponent(execution.id)}`).send(presentExecution(execution));
  });

  app.get('/v1/schedules/:id/next', {
    schema: {
      summary: 'The next fire instants of a schedule', tags, params: ScheduleParams,
      querystring: z.object({ count: countQuery }),
      response: { 200: TimesWire.describe('The next instants, earliest first'), ...problemResponses },
    },
  }, async (request) => presentTimes(await tasker.nextScheduleFires(request.params.id, request.query.count)));
}
