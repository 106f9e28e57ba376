// Real processes for end-to-end tests: a free port, json-server (a REST API
// nobody here wrote), and the `tasker` binary started as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startProcess(command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function startTasker(env: Record<string, string>): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [join(ROOT, 'bin', 'tasker.js'), 'serve'], { TASKER_PORT: String(port), TASKER_LOG_LEVEL: 'warn', ...env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`tasker did not start: ${(err as Error).message}\n${proc.output()}`);
  }
  return { proc, url };
}

export async function startJsonServer(dbFile: string): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [join(ROOT, 'node_modules', 'json-server', 'lib', 'cli', 'bin.js'), '--port', String(port), '--host', '127.0.0.1', '--quiet', '--watch', dbFile]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/posts`);
  return { proc, url };
}
