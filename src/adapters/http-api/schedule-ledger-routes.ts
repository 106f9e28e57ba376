// /v1/schedules/{id}/occurrences and /backfill: the schedule ledger and filling
// its gaps. Only parsing and presenting here; the use cases read the range in
// the schedule's zone, bound it and decide what runs.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OCCURRENCE_KINDS, type OccurrenceKind } from '../../domain/schedule-occurrence.js';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { cursorQuery, idParam, limitQuery } from './request-schemas.js';
import { presentBackfill, presentOccurrence } from './presenters.js';
import { BackfillWire, OccurrenceWire, pageOf, problemResponses } from './wire-schemas.js';
import { YAML_MEDIA_TYPES } from './body-parsers.js';

const ScheduleParams = z.object({ id: idParam });

const kindQuery = z
  .string()
  .transform((value, ctx) => {
    const kinds = value.split(',').map((k) => k.trim()).filter((k) => k !== '');
    const unknown = kinds.filter((k) => !(OCCURRENCE_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown kind ${unknown.map((k) => JSON.stringify(k)).join(', ')}: expected ${OCCURRENCE_KINDS.join(', ')} (several separated by commas)` });
      return z.NEVER;
    }
    return kinds as OccurrenceKind[];
  })
  .optional()
  .describe(`only these kinds, separated by commas: ${OCCURRENCE_KINDS.join(', ')}`);

const dateTime = z
  .union([z.string(), z.number()], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'expected a date-time string or epoch milliseconds'),
  })
  .describe('an ISO-8601 instant (2019-01-01T08:00:00Z), epoch ms, or a local date-time without offset (2019-01-01T09:00) read in the schedule\'s time zone');

const BackfillBody = z.strictObject({
  from: dateTime.describe('inclusive start of the range'),
  to: dateTime.describe('inclusive end of the range; capped at now'),
  onlyMissed: z.boolean().optional().describe('only fill occurrences the ledger records as missed, or has no row for (default false: also those skipped by overlap or refused)'),
});

export function registerScheduleLedgerRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['schedules'];

  app.get('/v1/schedules/:id/occurrences', {
    schema: {
      summary: 'The schedule ledger: what became of each fire instant, newest first', tags, params: ScheduleParams,
      querystring: z.object({ limit: limitQuery, cursor: cursorQuery, kind: kindQuery }),
      response: { 200: pageOf(OccurrenceWire).describe('A page of occurrences'), ...problemResponses },
    },
  }, async (request) => {
    const { limit, cursor, kind } = request.query;
    const page = await tasker.listScheduleOccurrences(request.params.id, { limit, cursor, kinds: kind });
    return { items: page.items.map(presentOccurrence), nextCursor: page.nextCursor };
  });

  app.post('/v1/schedules/:id/backfill', {
    schema: {
      summary: 'Start one execution per occurrence in a past range that has not run', tags, params: ScheduleParams,
      consumes: ['application/json', ...YAML_MEDIA_TYPES], body: BackfillBody,
      response: { 200: BackfillWire.describe('How many executions were created and how many occurrences skipped'), ...problemResponses },
    },
  }, async (request) => {
    const { from, to, onlyMissed } = request.body;
    return presentBackfill(await tasker.backfillSchedule(request.params.id, { from, to, ...(onlyMissed !== undefined ? { onlyMissed } : {}) }));
  });
}
