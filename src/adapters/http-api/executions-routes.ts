// Executions: start one (idempotent with a key, optionally waiting for the
// end), list, read with steps, cancel. A repeated idempotency key answers the
// first execution with the same status and `Idempotent-Replayed: true`.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EXECUTION_STATUSES, TRIGGERS, isFinished } from '../../domain/execution.js';
import type { JsonValue } from '../../domain/json.js';
import { TaskerError } from '../../domain/errors.js';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { cursorQuery, durationField, idParam, instantQuery, limitQuery } from './request-schemas.js';
import { presentExecution, presentExecutionView } from './presenters.js';
import { ExecutionViewWire, ExecutionWire, pageOf, problemResponses } from './wire-schemas.js';

/** The longest a client may hold a request open with ?wait=. */
export const MAX_WAIT_MS = 15 * 60_000;

const idempotencyKey = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

const StartBody = z
  .strictObject({
    input: z.unknown().optional().describe('the execution input (checked against the task input schema)'),
    idempotencyKey: idempotencyKey.optional().describe('starting twice with one key returns the first execution'),
  })
  .optional();

const ExecutionParams = z.object({ id: idParam });

export function registerExecutionRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['executions'];

  app.post('/v1/tasks/:idOrName/executions', {
    schema: {
      summary: 'Start an execution of a task (202; with ?wait=, 200 when it finished within that time)', tags,
      params: z.object({ idOrName: idParam.describe('the task id or name') }),
      querystring: z.object({
        wait: durationField(MAX_WAIT_MS, '15m').optional().describe('wait up to this long (e.g. 30s) for the execution to finish'),
      }),
      headers: z.looseObject({ 'idempotency-key': idempotencyKey.optional().describe('same as idempotencyKey in the body') }),
      body: StartBody,
      response: {
        200: ExecutionViewWire.describe('The finished execution with its steps (?wait= only)'),
        202: ExecutionWire.describe('The execution, queued or running (with ?wait=, its current view with steps)'),
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const headerKey = request.headers['idempotency-key'];
    const bodyKey = request.body?.idempotencyKey;
    if (headerKey !== undefined && bodyKey !== undefined && headerKey !== bodyKey) {
      throw new TaskerError('REQUEST_INVALID', 'the Idempotency-Key header and idempotencyKey in the body differ', [
        { path: '/headers/idempotency-key', message: 'differs from idempotencyKey in the body' },
      ]);
    }
    const { execution, created } = await tasker.startExecution({
      task: request.params.idOrName,
      input: request.body?.input as JsonValue | undefined,
      idempotencyKey: headerKey ?? bodyKey ?? null,
      trigger: 'api',
    });
    reply.header('location', `/v1/executions/${encodeURIComponent(execution.id)}`);
    if (!created) reply.header('idempotent-replayed', 'true');
    if (request.query.wait === undefined) return reply.code(202).send(presentExecution(execution));
    const view = await tasker.waitForExecution(execution.id, request.query.wait);
    return reply.code(isFinished(view.status) ? 200 : 202).send(presentExecutionView(view));
  });

  app.get('/v1/executions', {
    schema: {
      summary: 'List executions', tags,
      querystring: z.object({
        task: z.string().min(1).optional().describe('a task id or name'),
        status: z.enum(EXECUTION_STATUSES).optional(),
        schedule: z.string().min(1).optional().describe('a schedule id'),
        trigger: z.enum(TRIGGERS).optional(),
        from: instantQuery.optional().describe('created at or after this instant (ISO-8601, e.g. 2025-01-31T00:00:00Z)'),
        to: instantQuery.optional().describe('created before this instant (ISO-8601; exclusive)'),
        limit: limitQuery,
        cursor: cursorQuery,
      }),
      response: { 200: pageOf(ExecutionWire).describe('A page of executions, newest first'), ...problemResponses },
    },
  }, async (request) => {
    const { task, status, schedule, trigger, from, to, limit, cursor } = request.query;
    if (from !== undefined && to !== undefined && from >= to) {
      throw new TaskerError('REQUEST_INVALID', 'the time range is empty: from must be before to', [
        { path: '/query/to', message: 'must be after from' },
      ]);
    }
    const page = await tasker.listExecutions({ task, status, schedule, trigger, from, to, limit, cursor });
    return { items: page.items.map(presentExecution), nextCursor: page.nextCursor };
  });

  app.get('/v1/executions/:id', {
    schema: {
      summary: 'Get an execution with its steps', tags, params: ExecutionParams,
      response: { 200: ExecutionViewWire.describe('The execution'), ...problemResponses },
    },
  }, async (request) => presentExecutionView(await tasker.getExecution(request.params.id)));

  app.post('/v1/executions/:id/cancel', {
    schema: {
      summary: 'Cancel an execution (409 when it already finished)', tags, params: ExecutionParams,
      response: { 200: ExecutionViewWire.describe('The execution after the cancel'), ...problemResponses },
    },
  }, async (request) => presentExecutionView(await tasker.cancelExecution(request.params.id)));
}
