// Commands that need the Tasker's rules but no data (validate, cron) use a
// runtime on an in-memory SQLite database: the same wiring and step catalog
// as the server, without touching the configured database, Redis or a worker.
import { loadConfig } from '../../config.js';
import { createRuntime, type Runtime } from '../../main.js';

export async function withOfflineRuntime<T>(use: (runtime: Runtime) => Promise<T> | T): Promise<T> {
  const config = loadConfig(process.env, {
    TASKER_DB_URL: 'sqlite::memory:',
    TASKER_REDIS_URL: '',
    TASKER_ROLE: 'api',
    TASKER_LOG_LEVEL: 'silent',
  });
  const runtime = await createRuntime(config);
  try {
    return await use(runtime);
  } finally {
    await runtime.close();
  }
}
