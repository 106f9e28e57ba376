// Database and Redis servers of a test's own, for tests that stop, kill and
// restart them: a redis-server with no persistence and a mariadbd on a temp
// data directory, each on a free port, each a child process in its own
// group. The shared servers of the machine are never touched. close() kills
// the server and removes its files, even after a failure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitForOutput, type Proc } from './processes.js';

export interface PrivateServer {
  /** The URL tasker takes (TASKER_REDIS_URL, or the admin URL of the MariaDB server). */
  url: string;
  port: number;
  /** Is it running now? */
  running(): boolean;
  /** Stops it with the signal (SIGKILL: a crash) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and, for MariaDB, the same data). */
  start(): Promise<void>;
  /** Every run's output, for a failure report. */
  output(): string;
  /** Kills it and removes its files. Never throws. */
  close(): Promise<void>;
}

/** A redis-server that keeps nothing on disk: a restart starts it empty. */
export async function startPrivateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tasker-redis-'));
  const runs: Proc[] = [];
  const current = () => runs.at(-1);
  const server: PrivateServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    running: () => isAlive(current()),
    async stop(signal = 'SIGKILL') {
      await current()?.stop(signal);
    },
    async start() {
      if (isAlive(current())) throw new Error('redis-server is already running');
      const proc = startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], {}, { group: true });
      runs.push(proc);
      await waitForOutput(proc, 'Ready to accept connections', 15_000).catch((err: unknown) => {
        throw new Error(`redis-server did not start: ${(err as Error).message}\n${proc.output()}`);
      });
    },
    output: () => runs.map((p, i) => `----- redis-server run ${i + 1} -----\n${p.output()}`).join('\n'),
    async close() {
      await Promise.all(runs.map((p) => p.stop('SIGKILL').catch(() => null)));
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

/**
 * A mariadbd on a fresh data directory (mariadb-install-db), without grant
 * tables: root with no password over TCP. The data survives stop()/start(),
 * as a real server's does across a restart or a crash.
 */
export async function startPrivateMariadb(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tasker-mariadb-'));
  const datadir = join(dir, 'data');
  const runs: Proc[] = [];
  const current = () => runs.at(-1);
  const server: PrivateServer = {
    url: `mysql://root@127.0.0.1:${port}/`,
    port,
    running: () => isAlive(current()),
    async stop(signal = 'SIGKILL') {
      await current()?.stop(signal);
    },
    async start() {
      if (isAlive(current())) throw new Error('mariadbd is already running');
      const proc = startProcess('mariadbd', [
        '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, `--socket=${join(dir, 'mariadb.sock')}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`, '--bind-address=127.0.0.1', '--user=root', '--skip-grant-tables',
        '--innodb-buffer-pool-size=64M', '--skip-log-bin',
      ], {}, { group: true });
      runs.push(proc);
      await waitForOutput(proc, /ready for connections[\s\S]*port: /, 30_000).catch((err: unknown) => {
        throw new Error(`mariadbd did not start: ${(err as Error).message}\n${proc.output()}`);
      });
    },
    output: () => runs.map((p, i) => `----- mariadbd run ${i + 1} -----\n${p.output()}`).join('\n'),
    async close() {
      await Promise.all(runs.map((p) => p.stop('SIGKILL').catch(() => null)));
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  try {
    const install = startProcess('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--user=root', '--skip-test-db'], {}, { group: true });
    const code = await install.exited;
    if (code !== 0) throw new Error(`mariadb-install-db failed (exit ${code}):\n${install.output()}`);
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

function isAlive(proc: Proc | undefined): boolean {
  return proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;
}
