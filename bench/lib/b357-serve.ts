// The real `tasker serve` process for B3/B5/B6/B7: spawned from bin/tasker.js
// as a user would (its own process group, so a kill -9 reaches everything it
// started), timed from spawn to the first 200 of /readyz, with its resident
// memory read from /proc. Also small JSON helpers for the API.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, ROOT, startProcess, type Proc } from '../../test/support/processes.js';

export interface ServeProcess {
  proc: Proc;
  pid: number;
  url: string;
  /** Milliseconds from spawn to the first 200 of /readyz. */
  startupMs: number;
  /** performance.now() at spawn. */
  spawnedAt: number;
}

/** Starts `tasker serve` (role all unless env says otherwise) and waits for /readyz = 200. */
export async function spawnServe(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const proc = startProcess(process.execPath, [join(ROOT, 'bin', 'tasker.js'), 'serve'], {
    TASKER_PORT: String(port),
    TASKER_LOG_LEVEL: 'warn',
    ...env,
  }, { group: true });
  const url = `http://127.0.0.1:${port}`;
  const deadline = spawnedAt + timeoutMs;
  // Poll often: the poll interval bounds the error of the start-up figure.
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`tasker serve exited during start-up:\n${proc.output().slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new Error(`tasker serve was not ready within ${timeoutMs} ms:\n${proc.output().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error('tasker serve has no pid');
  return { proc, pid, url, startupMs: performance.now() - spawnedAt, spawnedAt };
}

/** Resident set size of a process in MB (VmRSS from /proc/<pid>/status; Linux only). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** POST/GET JSON; throws with the body when the status is not the expected one. */
export async function apiJson<T>(url: string, body?: unknown, expected = body === undefined ? 200 : 201): Promise<T> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${url}: expected ${expected}, got ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}
