// Probes: /healthz says the process answers; /readyz says the database (and Redis)
// answers (503 UNAVAILABLE otherwise). Both stay open when auth is on, and
// neither reveals anything about the deployment.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TaskerError } from '../../domain/errors.js';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { problemResponses } from './wire-schemas.js';

export function registerHealthRoutes(root: FastifyInstance, { tasker, logger }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['health'];

  app.get('/healthz', {
    schema: { summary: 'Liveness: the process is up', tags, response: { 200: z.object({ status: z.literal('ok') }).describe('Up') } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      summary: 'Readiness: the database (and Redis, when configured) answer (503 when not)', tags,
      response: { 200: z.object({ status: z.literal('ready') }).describe('Ready'), ...problemResponses },
    },
  }, async () => {
    let ready = false;
    try {
      ready = await tasker.ready();
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
    }
    if (!ready) throw new TaskerError('UNAVAILABLE', 'the database or Redis does not answer');
    return { status: 'ready' };
  });
}
