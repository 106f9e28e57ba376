// The `log` step: writes `message` (and optional `data`) through the step's
// logger at `level` (debug | info | warn | error, default info); output null.
// It must not print to the console or change anything else.
import { stringifyJson, type JsonValue } from '../../domain/json.js';
import type { StepRunner } from '../../ports/step-runner.js';
import { paramError } from './param-error.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const asText = (value: JsonValue | undefined): string =>
  typeof value === 'string' ? value : stringifyJson(value ?? null);

export function createLogStepRunner(): StepRunner {
  return {
    type: 'log',
    run: async (params, ctx) => {
      const level = params.level ?? 'info';
      if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
        throw paramError('level', `expected one of ${LOG_LEVELS.join(', ')}, got ${stringifyJson(level)}`);
      }
      const fields: Record<string, JsonValue> = { event: 'log_step' };
      if (params.data !== undefined) fields.data = params.data;
      ctx.logger[level as LogLevel](fields, asText(params.message));
      return null;
    },
  };
}
