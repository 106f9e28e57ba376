// The `tasker` command line (bin/tasker.js imports this module): serve, run,
// validate, cron. The only place in src/ that writes to the console; every
// command returns an exit code and errors end as a message, never a stack.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_OK, EXIT_USAGE, reportError } from './cli-errors.js';
import { serveCommand } from './serve-command.js';
import { runCommand } from './run-command.js';
import { validateCommand } from './validate-command.js';
import { cronCommand } from './cron-command.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const version = packageVersion();
  let exitCode = EXIT_OK;
  const program = new Command()
    .name('tasker')
    .description('Tasks of HTTP, transform and storage steps, on cron schedules, durable.')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run tasker --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('serve')
    .description('start the API server, worker and scheduler (per --role)')
    .option('--port <port>', 'port to listen on (TASKER_PORT, default 3333)')
    .option('--host <host>', 'address to listen on (TASKER_HOST, default 127.0.0.1)')
    .option('--db <url>', 'database URL (TASKER_DB_URL, default sqlite:./data/tasker.db)')
    .addOption(new Option('--role <role>', 'what this process runs (TASKER_ROLE)').choices(['all', 'api', 'scheduler', 'worker']))
    .action(async (options) => {
      exitCode = await serveCommand(options, { out, err }, version);
    });

  program
    .command('run')
    .description('run a task definition (JSON or YAML file) once, locally, printing each step')
    .argument('<file>', 'the definition file')
    .option('--input <json|@file>', 'the execution input: inline JSON, or @file.json / @file.yaml')
    .option('--db <url>', 'database URL (TASKER_DB_URL, default sqlite:./data/tasker.db)')
    .action(async (file: string, options) => {
      exitCode = await runCommand(file, options, { out, err, env: process.env });
    });

  program
    .command('validate')
    .description('check a task definition file and print every problem')
    .argument('<file>', 'the definition file (JSON or YAML)')
    .action(async (file: string) => {
      exitCode = await validateCommand(file, out);
    });

  program
    .command('cron')
    .description('print the next fire instants of a cron expression')
    .argument('<expr>', 'e.g. "*/15 9-17 * * MON-FRI" or @daily')
    .option('--tz <zone>', 'IANA time zone', 'UTC')
    .option('--from <instant>', 'start after this ISO-8601 instant (default now)')
    .option('--count <n>', 'how many instants', '5')
    .action(async (expr: string, options) => {
      exitCode = await cronCommand(expr, options, out);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed help, the version or the usage error.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    return reportError(e, err);
  }
}

process.exitCode = await runCli(process.argv);
// Open handles (keep-alive sockets, timers) must not keep a finished command alive.
process.exit();
