// The transform, log and fail steps: tiny runners, tested together because
// each is a few lines; they share the same fake-free context.
import { describe, expect, it } from 'vitest';
import { StepError } from '../../domain/step-error.js';
import type { Logger } from '../../ports/logger.js';
import type { StepRunContext } from '../../ports/step-runner.js';
import { createFailStepRunner } from './fail-step.js';
import { createLogStepRunner } from './log-step.js';
import { createTransformStepRunner } from './transform-step.js';

type Line = { level: string; obj: object; msg?: string };

function recordingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    child: () => logger,
  };
  return logger;
}

function ctx(lines: Line[] = []): StepRunContext {
  return {
    executionId: 'e', stepId: 's', path: 's', attempt: 1, idempotencyKey: 'e:s',
    signal: new AbortController().signal, logger: recordingLogger(lines), now: () => 0,
  };
}

describe('the transform step', () => {
  it('outputs its resolved value, big integers included', async () => {
    const value = { n: 12345678901234567890n, list: [1, 'two'] };
    expect(await createTransformStepRunner().run({ value }, ctx())).toEqual(value);
  });

  it('outputs null when value is missing', async () => {
    expect(await createTransformStepRunner().run({}, ctx())).toBeNull();
  });
});

describe('the log step', () => {
  it('logs the message at info by default and outputs null', async () => {
    const lines: Line[] = [];
    expect(await createLogStepRunner().run({ message: 'hello' }, ctx(lines))).toBeNull();
    expect(lines).toEqual([{ level: 'info', obj: { event: 'log_step' }, msg: 'hello' }]);
  });

  it('logs at the level asked, with data, and JSON-encodes a non-text message', async () => {
    const lines: Line[] = [];
    await createLogStepRunner().run({ message: { a: 1 }, level: 'warn', data: [1] }, ctx(lines));
    expect(lines).toEqual([{ level: 'warn', obj: { event: 'log_step', data: [1] }, msg: '{"a":1}' }]);
  });

  it('fails with kind expression on an unknown level', async () => {
    await expect(createLogStepRunner().run({ message: 'x', level: 'loud' }, ctx())).rejects.toMatchObject({ kind: 'expression' });
  });
});

describe('the fail step', () => {
  it('throws kind fail with its message and data', async () => {
    const err = await createFailStepRunner().run({ message: 'stock too low', data: { left: 2 } }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).toInfo()).toEqual({ kind: 'fail', message: 'stock too low', data: { left: 2 } });
  });
});
