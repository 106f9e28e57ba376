// The one place errors become HTTP answers: RFC 9457 application/problem+json
// `{ type, title, status, detail, code, errors: [{ path, message }] }`.
// Known errors keep their code and status; anything else is a 500 that is
// logged in full and answered without internals (no message, no stack).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, TaskerError, type ErrorCode, type Problem } from '../../domain/errors.js';
import type { Logger } from '../../ports/logger.js';
import { pointer } from './zod-route-schema.js';
import { isBackendUnavailable } from '../backend-unavailable.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors: Problem[];
}

export const problemType = (code: ErrorCode): string => `urn:tasker:error:${code.toLowerCase().replaceAll('_', '-')}`;

export function problemOf(code: ErrorCode, detail?: string, errors: Problem[] = []): ProblemBody {
  const { status, title } = ERROR_CODES[code];
  return { type: problemType(code), title, status, detail: detail ?? title, code, errors };
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const PART_SEGMENT: Record<string, string[]> = { body: [], querystring: ['query'], params: ['params'], headers: ['headers'] };

/** Fastify's built-in (Ajv) validation errors, in case a route or plugin uses them. */
function ajvProblems(errors: AjvLikeError[], context: string | undefined): Problem[] {
  const prefix = pointer(PART_SEGMENT[context ?? 'body'] ?? [context ?? 'body']);
  return errors.map((e) => {
    let path = prefix + (e.instancePath ?? '');
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
      path += pointer([e.params.missingProperty]);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
      path += pointer([e.params.additionalProperty]);
      message = 'is not a known field';
    }
    return { path, message };
  });
}

function toProblem(error: unknown, logger: Logger, request: FastifyRequest): ProblemBody {
  if (error instanceof TaskerError) return problemOf(error.code, error.message, error.problems);
  const fe = error as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const errors = ajvProblems(fe.validation as AjvLikeError[], fe.validationContext);
    return problemOf('REQUEST_INVALID', `the request has ${errors.length} problem${errors.length === 1 ? '' : 's'}`, errors);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problemOf('BODY_TOO_LARGE', `the body is larger than the limit of ${request.routeOptions.bodyLimit ?? 'the server'} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problemOf('MEDIA_TYPE_UNSUPPORTED', `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported: send application/json or application/yaml`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problemOf('BODY_MALFORMED', fe.message);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    // Fastify's own client errors (bad URL, bad header...): their messages are safe to show.
    return { ...problemOf('REQUEST_INVALID', fe.message), status: fe.statusCode };
  }
  if (isBackendUnavailable(error)) {
    logger.warn({ err: error, method: request.method, url: request.url }, 'a backing service is unavailable');
    return problemOf('UNAVAILABLE', 'a backing service (database or Redis) is not answering; retry shortly');
  }
  logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
  return problemOf('INTERNAL', 'an unexpected error occurred; it has been logged');
}

export function sendProblem(reply: FastifyReply, problem: ProblemBody): FastifyReply {
  if (problem.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

/** Installs the error and not-found handlers on the root instance. */
export function registerErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, logger, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemOf('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`)));
}
