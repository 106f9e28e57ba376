// Retry from failure: `POST /v1/executions/{id}/retry` starts a new execution
// that reuses the outputs of the steps that succeeded; with ?dryRun=true it
// answers the plan instead (reused steps, steps run again, their side effects).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JsonValue } from '../../domain/json.js';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { idParam } from './request-schemas.js';
import { presentExecution } from './presenters.js';
import { ExecutionWire, problemResponses } from './wire-schemas.js';

const RetryBody = z
  .strictObject({
    input: z.unknown().optional().describe('a new input (default: the original input; nothing is reused then unless reuse is true)'),
    reuse: z.boolean().optional().describe('reuse the outputs of steps that succeeded (default: true without a new input)'),
  })
  .optional();

const PlannedStep = z.object({ stepId: z.string(), path: z.string(), type: z.string(), sideEffects: z.union([z.boolean(), z.literal('maybe')]) });

const RetryPlanWire = z.object({
  retryOf: z.string(),
  taskId: z.string(),
  taskVersion: z.number(),
  input: z.unknown(),
  reused: z.array(z.object({ stepId: z.string(), path: z.string(), output: z.unknown() })).describe('steps whose committed output the retry keeps'),
  rerun: z.array(PlannedStep).describe('steps that run again'),
  conditional: z.array(PlannedStep).describe('fallback and onFailure steps: they run again only if what they handle fails again'),
});

export function registerRetryRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.post('/v1/executions/:id/retry', {
    schema: {
      summary: 'Retry a finished execution, reusing the steps that succeeded (?dryRun=true: show the plan)',
      tags: ['executions'],
      params: z.object({ id: idParam }),
      querystring: z.object({ dryRun: z.enum(['true', 'false']).optional().describe('answer the plan without starting anything') }),
      body: RetryBody,
      response: { 200: RetryPlanWire.describe('The plan (dry run)'), 202: ExecutionWire.describe('The new execution'), ...problemResponses },
    },
  }, async (request, reply) => {
    const options = {
      ...(request.body?.input !== undefined ? { input: request.body.input as JsonValue } : {}),
      ...(request.body?.reuse !== undefined ? { reuse: request.body.reuse } : {}),
    };
    if (request.query.dryRun === 'true') return reply.code(200).send(await tasker.planRetry(request.params.id, options));
    const execution = await tasker.retryExecution(request.params.id, options);
    reply.header('location', `/v1/executions/${encodeURIComponent(execution.id)}`);
    return reply.code(202).send(presentExecution(execution));
  });
}
