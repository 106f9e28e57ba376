// Real processes for end-to-end tests: a free port, json-server (a REST API
// nobody here wrote), and the `tasker` binary started as a user would, in any
// role. A process can run in its own process group, so a kill reaches
// everything it started and nothing outlives the test.
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
  /** Sends a signal (to the whole group when started with `group`) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
}

export interface ProcessOptions {
  /** Run in a new process group; stop() signals the group. */
  group?: boolean;
}

export function startProcess(command: string, args: string[], env: Record<string, string> = {}, options: ProcessOptions = {}): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.group === true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (options.group === true && child.pid !== undefined) {
        // The group may outlive its leader (a child it started); signal it anyway.
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is gone
        }
      } else if (running()) {
        child.kill(signal);
      }
      return exited;
    },
  };
}

/** Resolves once the process has printed `text` (stdout or stderr); rejects if it exits or the time runs out first. */
export async function waitForOutput(proc: Proc, text: string | RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen = () => (typeof text === 'string' ? proc.output().includes(text) : text.test(proc.output()));
  while (!seen()) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`the process exited before printing ${String(text)}`);
    if (Date.now() > deadline) throw new Error(`the process did not print ${String(text)} within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type TaskerRole = 'all' | 'api' | 'scheduler' | 'worker';

/**
 * `tasker serve --role <role>` in its own process group. The api and all
 * roles resolve once /healthz answers (with `url`); scheduler and worker once
 * the process says it started (they have no HTTP port). `onSpawn` sees the
 * process as soon as it exists (to clean it up even if the start fails).
 */
export async function startTaskerRole(role: TaskerRole, env: Record<string, string>, onSpawn?: (proc: Proc) => void): Promise<{ proc: Proc; url: string | undefined }> {
  const listens = role === 'api' || role === 'all';
  const port = listens ? await freePort() : 0;
  const proc = startProcess(process.execPath, [join(ROOT, 'bin', 'tasker.js'), 'serve', '--role', role], { TASKER_PORT: String(port), TASKER_LOG_LEVEL: 'warn', ...env }, { group: true });
  onSpawn?.(proc);
  const url = listens ? `http://127.0.0.1:${port}` : undefined;
  try {
    if (url !== undefined) await waitForHttp(`${url}/healthz`, 30_000);
    else await waitForOutput(proc, `started (role ${role}`, 30_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`tasker --role ${role} did not start: ${(err as Error).message}\n${proc.output()}`);
  }
  return { proc, url };
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
