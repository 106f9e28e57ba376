// Static checks of the `delay` step's params. `delay` is done by the engine
// itself (a durable wait), so its checks live in the domain rather than with
// the step runners. Values that are templates are checked when they resolve.
import { parseDuration } from './duration.js';
import type { ParamProblem } from './step-catalog.js';
import { hasTemplate } from './template.js';

const DELAY_PARAMS = ['duration', 'until'];

const isTemplate = (value: unknown): boolean => typeof value === 'string' && hasTemplate(value);

/** Paths are relative to params (`/duration`), like every ParamCheck. */
export function checkDelayParams(params: Record<string, unknown>): ParamProblem[] {
  const problems: ParamProblem[] = [];
  for (const key of Object.keys(params)) {
    if (!DELAY_PARAMS.includes(key)) problems.push({ path: `/${key}`, message: `unknown param "${key}": a delay takes "duration" or "until"` });
  }
  const { duration, until } = params;
  if (duration === undefined && until === undefined) {
    problems.push({ path: '', message: 'a delay needs "duration" (like 30s or 5m) or "until" (an ISO-8601 instant)' });
  } else if (duration !== undefined && until !== undefined) {
    problems.push({ path: '/until', message: 'give either "duration" or "until", not both' });
  }
  if (duration !== undefined && !isTemplate(duration)) {
    const r = parseDuration(duration);
    if (!r.ok) problems.push({ path: '/duration', message: r.message });
  }
  if (until !== undefined && !isTemplate(until) && parseInstant(until) === undefined) {
    problems.push({ path: '/until', message: `expected an ISO-8601 instant like 2024-03-01T12:00:00Z, got ${JSON.stringify(until)}` });
  }
  return problems;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO-8601 instant with a zone (Z or an offset), else undefined. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
