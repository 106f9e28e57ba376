// How the CLI ends: user errors print one clear message (and any problems)
// on stderr and exit non-zero, never with a stack trace. Exit codes: 0 ok,
// 1 failure (invalid file, failed execution, runtime error), 2 usage/config
// (including a definition or an execution input that `run` was handed and
// cannot use).
import { ConfigError } from '../../config.js';
import { TaskerError } from '../../domain/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called (bad flag value, unreadable file). */
export class CliUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}

/** Prints an error for a human and returns the exit code it deserves. */
export function reportError(err: unknown, write: (line: string) => void): number {
  if (err instanceof CliUsageError) {
    write(`tasker: ${err.message}`);
    return EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    write(`tasker: ${err.message}`);
    return EXIT_USAGE;
  }
  if (err instanceof TaskerError) {
    write(`tasker: ${err.message}`);
    const echoesDetail = err.problems.length === 1 && err.problems[0]?.message === err.message;
    if (!echoesDetail) for (const p of err.problems) write(`  ${p.path || '/'}: ${p.message}`);
    return err.code === 'DEFINITION_INVALID' || err.code === 'INPUT_INVALID' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(`tasker: ${message}`);
  return EXIT_FAILURE;
}
