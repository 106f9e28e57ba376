// A real runtime on a fresh SQLite file in its own temp directory, removed
// after. For integration tests of the use cases, the API and the worker.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/main.js';

export interface TempRuntime {
  runtime: Runtime;
  dir: string;
  dbUrl: string;
  /** Closes this runtime and opens a new one on the same database (a restart). */
  restart(env?: Record<string, string>): Promise<Runtime>;
  cleanup(): Promise<void>;
}

export async function startTempRuntime(env: Record<string, string> = {}, options: RuntimeOptions & { start?: boolean } = {}): Promise<TempRuntime> {
  const dir = await mkdtemp(join(tmpdir(), 'tasker-test-'));
  const dbUrl = `sqlite:${join(dir, 'tasker.db')}`;
  const open = async (extra: Record<string, string>) => {
    const runtime = await createRuntime(loadConfig({ TASKER_DB_URL: dbUrl, TASKER_LOG_LEVEL: 'silent', TASKER_SHUTDOWN_GRACE: '100ms', ...env, ...extra }), options);
    if (options.start !== false) await runtime.start();
    return runtime;
  };
  const handle: TempRuntime = {
    runtime: await open({}),
    dir,
    dbUrl,
    async restart(extra = {}) {
      await handle.runtime.close();
      handle.runtime = await open(extra);
      return handle.runtime;
    },
    async cleanup() {
      await handle.runtime.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
