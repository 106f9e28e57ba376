// A real runtime on a fresh database, removed after: a SQLite file in its own
// temp directory, or (TASKER_TEST_DB=mariadb|postgres) a database of its own
// on that server. For integration tests of the use cases, the API and the worker.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/main.js';
import { createTestDatabase, testDatabaseKind } from './test-database.js';

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
  const server = testDatabaseKind() === 'sqlite' ? null : await createTestDatabase();
  const dbUrl = server?.url ?? `sqlite:${join(dir, 'tasker.db')}`;
  const open = async (extra: Record<string, string>) => {
    const runtime = await createRuntime(loadConfig({ TASKER_DB_URL: dbUrl, TASKER_LOG_LEVEL: 'silent', TASKER_SHUTDOWN_GRACE: '100ms', ...env, ...extra }), options);
    if (options.start !== false) await runtime.start();
    return runtime;
  };
  let runtime: Runtime;
  try {
    runtime = await open({});
  } catch (err) {
    await server?.drop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const handle: TempRuntime = {
    runtime,
    dir,
    dbUrl,
    async restart(extra = {}) {
      await handle.runtime.close();
      handle.runtime = await open(extra);
      return handle.runtime;
    },
    async cleanup() {
      await handle.runtime.close().catch(() => undefined);
      await server?.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
