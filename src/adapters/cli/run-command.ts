// `tasker run <file> [--input] [--db]`: runs a definition once, locally, with
// an in-process worker on the configured database (the task is created, or
// updated by name). Prints each step as it finishes, then the result.
// Exit 0 succeeded/handled_failure, 1 otherwise, 2 invalid definition, input
// that does not match the task's input schema, or other usage errors.
import { loadConfig } from '../../config.js';
import { isFinished, type Execution } from '../../domain/execution.js';
import type { JsonValue } from '../../domain/json.js';
import type { TaskerEvents } from '../../app/events.js';
import type { Tasker } from '../../app/tasker.js';
import { TaskerError } from '../../domain/errors.js';
import { createRuntime } from '../../main.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, reportError } from './cli-errors.js';
import { readDefinitionFile, readInputOption } from './read-input-file.js';
import { formatStepLine, formatSummary } from './step-lines.js';

export interface RunOptions {
  input?: string;
  db?: string;
}

export interface RunIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

const WAIT_SLICE_MS = 60_000;

export async function runCommand(file: string, options: RunOptions, io: RunIo): Promise<number> {
  const parsed = await readDefinitionFile(file);
  if (!parsed.ok) {
    io.err(`${file}: not valid JSON or YAML`);
    for (const p of parsed.problems) io.err(`  ${p.path || '/'}: ${p.message}`);
    return EXIT_USAGE;
  }
  const input: JsonValue | undefined = options.input !== undefined ? await readInputOption(options.input) : undefined;

  const config = loadConfig(io.env, {
    TASKER_DB_URL: options.db,
    // Only this process's executions matter here: no scheduler firing other schedules.
    TASKER_ROLE: 'worker',
    TASKER_LOG_LEVEL: io.env.TASKER_LOG_LEVEL ? undefined : 'warn',
  });
  const runtime = await createRuntime(config);
  const { tasker, events } = runtime;
  let stopSignals = () => {};
  try {
    const check = tasker.validateDefinition(parsed.value);
    if (!check.valid) {
      io.err(`${file}: ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`);
      for (const p of check.problems) io.err(`  ${p.path || '/'}: ${p.message}`);
      return EXIT_USAGE;
    }

    // Steps may finish before startExecution returns: buffer until the id is known.
    let executionId: string | null = null;
    const early: TaskerEvents['step.finished'][] = [];
    const unsubscribe = events.on('step.finished', (event) => {
      if (executionId === null) early.push(event);
      else if (event.executionId === executionId) io.out(formatStepLine(event.attempt, event.willRetryAt));
    });

    await runtime.start();
    const task = await createOrUpdate(tasker, parsed.value);
    let execution: Execution;
    try {
      ({ execution } = await tasker.startExecution({ task: task.id, input, trigger: 'manual' }));
    } catch (err) {
      // Input the task's schema refuses is a bad invocation, like malformed --input.
      if (!(err instanceof TaskerError) || err.code !== 'INPUT_INVALID') throw err;
      reportError(err, io.err);
      if (options.input === undefined) io.err(`  no --input was given: pass --input '{…}' (or --input @file.json)`);
      return EXIT_USAGE;
    }
    executionId = execution.id;
    io.out(`running ${task.name} (version ${task.version}) as execution ${execution.id}`);
    for (const event of early.splice(0)) {
      if (event.executionId === executionId) io.out(formatStepLine(event.attempt, event.willRetryAt));
    }

    stopSignals = cancelOnSignal(() => tasker.cancelExecution(execution.id), io);
    let current: Execution = execution;
    while (!isFinished(current.status)) current = await tasker.waitForExecution(execution.id, WAIT_SLICE_MS);
    unsubscribe();
    for (const line of formatSummary(current)) io.out(line);
    return current.status === 'succeeded' || current.status === 'handled_failure' ? EXIT_OK : EXIT_FAILURE;
  } finally {
    stopSignals();
    await runtime.close();
  }
}

function createOrUpdate(tasker: Tasker, raw: unknown) {
  return tasker.applyTask(raw);
}

/** Ctrl-C cancels the execution (and waits for it to stop); a second one quits at once. */
function cancelOnSignal(cancel: () => Promise<unknown>, io: RunIo): () => void {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    io.err('canceling the execution (press Ctrl-C again to quit at once)');
    cancel().catch((err: unknown) => io.err(`could not cancel: ${err instanceof Error ? err.message : String(err)}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
