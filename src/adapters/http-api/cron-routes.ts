// GET /v1/cron/next: preview the next fire instants of any cron expression in
// any time zone, without a schedule. The cron maths lives in the domain; this
// module only reads the query (from defaults to now) and presents instants.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { countQuery, instantQuery } from './request-schemas.js';
import { presentTimes } from './presenters.js';
import { problemResponses, TimesWire } from './wire-schemas.js';

export function registerCronRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/v1/cron/next', {
    schema: {
      summary: 'Preview the next fire instants of a cron expression (422 CRON_INVALID when it cannot fire)',
      tags: ['cron'],
      querystring: z.object({
        expr: z.string().min(1, 'a cron expression is required').describe('e.g. */5 * * * * or @daily'),
        tz: z.string().min(1).default('UTC').describe('IANA time zone, default UTC'),
        from: instantQuery.optional().describe('start after this instant (ISO-8601 or epoch ms), default now'),
        count: countQuery,
      }),
      response: { 200: TimesWire.describe('The next instants, earliest first'), ...problemResponses },
    },
  }, async (request) => {
    const { expr, tz, from, count } = request.query;
    return presentTimes(tasker.previewCron(expr, tz, from ?? Date.now(), count));
  });
}
