// Reusable pieces of request schemas (paging, durations, instants), so every
// route reads them the same way and reports the same messages. Parsing only:
// no lookups and no defaults that belong to the use cases.
import { z } from 'zod';
import { parseInstant } from '../../domain/duration.js';
import { parseDuration } from '../../domain/duration.js';

export const limitQuery = z.coerce
  .number({ message: 'expected an integer from 1 to 500' })
  .int('expected an integer from 1 to 500')
  .min(1, 'expected an integer from 1 to 500')
  .max(500, 'expected an integer from 1 to 500')
  .optional()
  .describe('page size (1-500)');

export const countQuery = z.coerce
  .number({ message: 'expected an integer from 1 to 100' })
  .int('expected an integer from 1 to 100')
  .min(1, 'expected an integer from 1 to 100')
  .max(100, 'expected an integer from 1 to 100')
  .default(5)
  .describe('how many instants (1-100, default 5)');

export const cursorQuery = z.string().min(1).optional().describe('nextCursor from the previous page');

/** A duration (`500ms`, `10s`, `5m`, or milliseconds), as a number of ms, at most `maxMs`. */
export function durationField(maxMs: number, maxLabel: string) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    if (parsed.ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${maxLabel}` });
      return z.NEVER;
    }
    return parsed.ms;
  });
}

/** An instant as an ISO-8601 string or epoch milliseconds, as epoch ms. */
export const instantQuery = z.string().transform((value, ctx) => {
  const r = parseInstant(value);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  }
  return r.ms;
});

export const idParam = z.string().min(1).max(200);
