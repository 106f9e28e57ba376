// A real runtime on a fresh database with the HTTP API built on it, for
// in-process API tests (`app.inject`): a SQLite file in a temp dir, or
// (TASKER_TEST_DB=mariadb|postgres) a database of its own on that server.
// Each call gets its own, so test files run in parallel safely; close() removes it.
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { buildHttpServer, type HttpServerOptions } from '../../src/adapters/http-api/build-server.js';
import { createTestDatabase } from './test-database.js';

export interface ApiHarness {
  runtime: Runtime;
  app: FastifyInstance;
  /** Another server on the same runtime, with other options (auth, body limit). */
  server(options: Partial<HttpServerOptions>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export async function startApiHarness(): Promise<ApiHarness> {
  const database = await createTestDatabase();
  let runtime: Runtime;
  try {
    runtime = await createRuntime(loadConfig({ TASKER_DB_URL: database.url, TASKER_LOG_LEVEL: 'silent' }));
  } catch (err) {
    await database.drop();
    throw err;
  }
  await runtime.start();
  const servers: FastifyInstance[] = [];
  const server = async (options: Partial<HttpServerOptions>) => {
    const app = await buildHttpServer(runtime, { bodyLimitBytes: 1_048_576, ...options });
    servers.push(app);
    return app;
  };
  const app = await server({});
  return {
    runtime,
    app,
    server,
    async close() {
      for (const s of servers) await s.close();
      await runtime.close();
      await database.drop();
    },
  };
}

/** The parsed JSON body of an inject response (tests only read plain numbers from it). */
export const json = <T = any>(response: { body: string }): T => JSON.parse(response.body) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
