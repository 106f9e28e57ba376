// Builds the REST API (DESIGN §7) on Fastify: BigInt-safe JSON in and out,
// zod route schemas that both validate and document, one error handler, the
// OpenAPI document and its UI. It does not listen: the caller (CLI, tests)
// decides where, and closes the runtime it was given.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { stringifyJson } from '../../domain/json.js';
import type { HttpDeps } from './http-deps.js';
import { registerBodyParsers } from './body-parsers.js';
import { problemOf, registerErrorHandling, sendProblem } from './error-handler.js';
import { registerBearerAuth } from './auth.js';
import { zodSwaggerTransform, zodValidatorCompiler } from './zod-route-schema.js';
import { registerTaskRoutes } from './tasks-routes.js';
import { registerExecutionRoutes } from './executions-routes.js';
import { registerExecutionEventsRoute } from './execution-events-route.js';
import { registerRetryRoutes } from './retry-routes.js';
import { registerScheduleRoutes } from './schedules-routes.js';
import { registerScheduleLedgerRoutes } from './schedule-ledger-routes.js';
import { registerCronRoutes } from './cron-routes.js';
import { registerStorageRoutes } from './storage-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerSeedRoutes } from './seed-routes.js';

export interface HttpServerOptions {
  bodyLimitBytes: number;
  /** When set, every route but the probes and docs needs `Authorization: Bearer <token>`. */
  apiToken?: string | undefined;
  /** Shown in the OpenAPI document. */
  version?: string;
}

export async function buildHttpServer(runtime: HttpDeps, options: HttpServerOptions): Promise<FastifyInstance> {
  const deps: HttpDeps = { tasker: runtime.tasker, events: runtime.events, logger: runtime.logger.child({ component: 'http' }) };
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true },
    // Long ?wait= requests are expected; a stuck client is cut by the OS, not here.
    requestTimeout: 0,
    // Errors the router raises before any route runs (a bad %-escape, a path
    // parameter over the length limit) get the same problem+json as the rest.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH' || error.code === 'FST_ERR_ROUTE_REWRITE_NOT_STR';
      void sendProblem(reply, problemOf('REQUEST_INVALID', tooLong ? 'a path parameter is too long' : `the URL is not valid: ${error.message}`, [{ path: '/url', message: error.message }]));
    },
  });

  app.setValidatorCompiler(zodValidatorCompiler);
  // Replies are always written by stringifyJson (BigInt-safe); route response
  // schemas only document.
  app.setSerializerCompiler(() => (data) => stringifyJson(data));
  app.setReplySerializer((payload) => stringifyJson(payload));
  registerBodyParsers(app);
  registerErrorHandling(app, deps.logger);
  if (options.apiToken) registerBearerAuth(app, options.apiToken);

  app.addHook('onResponse', async (request, reply) => {
    deps.logger.debug(
      { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tasker',
        version: options.version ?? '0.1.0',
        description: 'Tasks of HTTP, transform and storage steps, on cron schedules, durable. Errors are RFC 9457 application/problem+json.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'needed when TASKER_API_TOKEN is set' } },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: zodSwaggerTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerHealthRoutes(app, deps);
  registerTaskRoutes(app, deps);
  registerExecutionRoutes(app, deps);
  registerExecutionEventsRoute(app, deps);
  registerRetryRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerScheduleLedgerRoutes(app, deps);
  registerCronRoutes(app, deps);
  registerStorageRoutes(app, deps);
  registerSeedRoutes(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // A browser pointed at the service lands on the API reference (not part of the API itself).
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs', 302));

  await app.ready();
  return app;
}
