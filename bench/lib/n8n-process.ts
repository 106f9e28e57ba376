// The n8n peer process (installed by `npm run bench:peers` into bench/peers/):
// one `n8n start` per measurement on a fresh user folder (its own embedded
// SQLite file, deleted afterwards), loopback only, nothing phoning home. It
// runs in its own process group so stop() reaches anything it started, and a
// bench that dies or is interrupted still takes the group down with it.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, startProcess, waitForOutput, type Proc } from '../../test/support/processes.js';

export const N8N_PACKAGE_DIR = join(ROOT, 'bench', 'peers', 'node_modules', 'n8n');
const N8N_BIN = join(N8N_PACKAGE_DIR, 'bin', 'n8n');
/** Printed by `n8n start` once the server listens and active workflows are registered. */
const READY_LINE = 'Editor is now accessible via';
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/**
 * Every setting the bench gives n8n besides its folder and port. Execution
 * handling stays at n8n's defaults (regular mode, every execution saved,
 * pruning on); these only switch off what would reach the internet or the UI.
 */
export const N8N_BENCH_ENV: Readonly<Record<string, string>> = {
  N8N_LISTEN_ADDRESS: '127.0.0.1',
  DB_TYPE: 'sqlite',
  EXECUTIONS_MODE: 'regular',
  // The default of 1.123; runners only serve Code nodes, which the bench has none of.
  N8N_RUNNERS_ENABLED: 'false',
  N8N_DIAGNOSTICS_ENABLED: 'false',
  N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
  N8N_PERSONALIZATION_ENABLED: 'false',
  N8N_TEMPLATES_ENABLED: 'false',
  N8N_HIRING_BANNER_ENABLED: 'false',
  N8N_DYNAMIC_BANNERS_ENABLED: 'false',
  N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
  // Plain http on loopback: the session cookie must not require TLS.
  N8N_SECURE_COOKIE: 'false',
  // Its config file in the temp folder is ours alone; this only silences a warning.
  N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
  // N8N_LOG_LEVEL stays at its default (info): the ready line below is logged at info.
};

/** The installed n8n's version, or undefined when `npm run bench:peers` has not been run. */
export function installedN8nVersion(): string | undefined {
  const manifest = join(N8N_PACKAGE_DIR, 'package.json');
  if (!existsSync(manifest) || !existsSync(N8N_BIN)) return undefined;
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : undefined;
}

export interface N8nInstance {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the ready line and a 200 from /healthz/readiness (first start: includes the migrations). */
  startupMs: number;
  output(): string;
  /** SIGTERM, then SIGKILL to the whole group after a grace period; deletes the user folder. */
  stop(): Promise<void>;
}

/** Starts n8n on a fresh temp user folder and a free loopback port; `env` adds to or overrides N8N_BENCH_ENV. */
export async function startN8n(env: Record<string, string> = {}): Promise<N8nInstance> {
  const folder = await mkdtemp(join(tmpdir(), 'tasker-bench-n8n-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  let proc: Proc;
  try {
    proc = startProcess(process.execPath, [N8N_BIN, 'start'], {
      ...N8N_BENCH_ENV,
      N8N_USER_FOLDER: folder,
      N8N_PORT: String(port),
      ...env,
    }, { group: true });
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
  const pid = proc.child.pid;

  // If the bench exits or is interrupted while n8n runs, the group would
  // otherwise outlive it (it is detached, so Ctrl-C does not reach it).
  const killGroup = () => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killGroup);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      const exited = proc.stop('SIGTERM');
      const timer = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([exited, timer]);
      // Always: the group may outlive its leader.
      await proc.stop('SIGKILL');
      process.off('exit', killGroup);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await rm(folder, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    if (pid === undefined) throw new Error('no pid');
    await waitForOutput(proc, READY_LINE, START_TIMEOUT_MS);
    const res = await fetch(`${url}/healthz/readiness`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/healthz/readiness answered ${res.status} after the ready line`);
    return { url, pid, startupMs: performance.now() - spawnedAt, output: proc.output, stop };
  } catch (err) {
    await stop();
    throw new Error(`n8n did not start: ${(err as Error).message}\n${proc.output().slice(-4000)}`, { cause: err });
  }
}
