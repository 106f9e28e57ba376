// A real runtime on a fresh SQLite file in a temp dir, with the HTTP API built
// on it, for in-process API tests (`app.inject`). Each call gets its own
// directory, so test files run in parallel safely; close() removes it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { buildHttpServer, type HttpServerOptions } from '../../src/adapters/http-api/build-server.js';

export interface ApiHarness {
  runtime: Runtime;
  app: FastifyInstance;
  /** Another server on the same runtime, with other options (auth, body limit). */
  server(options: Partial<HttpServerOptions>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export async function startApiHarness(): Promise<ApiHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tasker-api-'));
  const runtime = await createRuntime(loadConfig({ TASKER_DB_URL: `sqlite:${dir}/t.db`, TASKER_LOG_LEVEL: 'silent' }));
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The parsed JSON body of an inject response (tests only read plain numbers from it). */
export const json = <T = any>(response: { body: string }): T => JSON.parse(response.body) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
