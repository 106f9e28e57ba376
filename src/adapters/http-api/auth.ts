// Optional bearer-token auth: when an API token is configured, every route
// needs `Authorization: Bearer <token>` except the probes, the API docs and
// `/` (a redirect to them).
// It checks before the body is read, and compares in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { TaskerError } from '../../domain/errors.js';

const OPEN_PATHS = new Set(['/', '/healthz', '/readyz', '/openapi.json', '/docs']);

const isOpen = (path: string): boolean => OPEN_PATHS.has(path) || path.startsWith('/docs/');

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function registerBearerAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (isOpen(path)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
      throw new TaskerError('UNAUTHORIZED', match ? 'the API token is wrong' : 'send the API token as Authorization: Bearer <token>');
    }
  });
}
