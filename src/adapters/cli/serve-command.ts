// `tasker serve`: for the `all` and `api` roles binds the HTTP API first (a
// taken port stops it before any work starts), then starts the runtime
// (worker and scheduler per role) and only then says it started.
// SIGTERM/SIGINT stop it gracefully: stop accepting, let requests finish (cut
// after the grace period), close the runtime, exit 0.
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config.js';
import { createRuntime } from '../../main.js';
import { buildHttpServer } from '../http-api/build-server.js';
import { EXIT_FAILURE, EXIT_OK } from './cli-errors.js';

export interface ServeOptions {
  port?: string;
  host?: string;
  db?: string;
  role?: string;
}

export async function serveCommand(options: ServeOptions, io: { out(line: string): void; err(line: string): void }, version: string): Promise<number> {
  const config = loadConfig(process.env, {
    TASKER_PORT: options.port,
    TASKER_HOST: options.host,
    TASKER_DB_URL: options.db,
    TASKER_ROLE: options.role,
  });
  const runtime = await createRuntime(config);
  let app: FastifyInstance | null = null;
  try {
    let url: string | undefined;
    if (config.role === 'all' || config.role === 'api') {
      app = await buildHttpServer(runtime, { bodyLimitBytes: config.bodyLimitBytes, apiToken: config.apiToken, version });
      url = await listen(app, config.port, config.host);
    }
    await runtime.start();
    runtime.logger.info({ role: config.role, ...runtime.backends, ...(url !== undefined ? { url } : {}) }, 'tasker started');
    if (url !== undefined) io.out(`tasker ${version} listening on ${url} (role ${config.role}; API docs at ${url}/docs)`);
    else io.out(`tasker ${version} started (role ${config.role}; no HTTP API in this role)`);
  } catch (err) {
    await app?.close().catch(() => {});
    await runtime.close().catch(() => {});
    throw err;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  runtime.logger.info({ signal }, 'shutting down');
  io.err(`tasker: ${signal}, shutting down`);
  const server = app;
  // Long ?wait= requests answer now with the execution's current state.
  runtime.events.emit('runtime.closing', {});
  // Requests still running after the grace period (long ?wait= calls) are cut.
  const cut = setTimeout(() => server?.server.closeAllConnections(), config.shutdownGraceMs);
  const force = setTimeout(() => {
    io.err('tasker: shutdown took too long, exiting');
    process.exit(EXIT_FAILURE);
  }, config.shutdownGraceMs * 2 + 5_000);
  cut.unref();
  force.unref();
  try {
    await server?.close();
    await runtime.close();
  } finally {
    clearTimeout(cut);
    clearTimeout(force);
  }
  io.err('tasker: stopped');
  return EXIT_OK;
}

/** Listens; a port another process holds ends in one plain line with the fix. */
async function listen(app: FastifyInstance, port: number, host: string): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} on ${host} is already in use; stop the other process or pick another port with --port or TASKER_PORT`, { cause: err });
    }
    throw err;
  }
}
