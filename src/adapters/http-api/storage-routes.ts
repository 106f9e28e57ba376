// /v1/storage/{namespace}/{key}: the key-value store the storage.* steps use.
// Values are any JSON (integers beyond 2^53 kept digit for digit); a ttl makes
// an entry expire. Expiry and namespaces are the use cases' business.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JsonValue } from '../../domain/json.js';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { durationField } from './request-schemas.js';
import { presentStorage } from './presenters.js';
import { problemResponses, StorageWire } from './wire-schemas.js';

const KeyParams = z.object({
  namespace: z.string().min(1).max(200).describe('e.g. default'),
  key: z.string().min(1).max(500),
});

const PutBody = z.strictObject({
  value: z.unknown().describe('any JSON value'),
  ttl: durationField(Number.MAX_SAFE_INTEGER, 'forever').optional().describe('expire after this long: ms or 10s, 5m, 1h'),
});

export function registerStorageRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['storage'];

  app.get('/v1/storage/:namespace/:key', {
    schema: {
      summary: 'Read a stored value', tags, params: KeyParams,
      response: { 200: StorageWire.describe('The entry'), ...problemResponses },
    },
  }, async (request) => presentStorage(await tasker.getStorage(request.params.namespace, request.params.key)));

  app.put('/v1/storage/:namespace/:key', {
    schema: {
      summary: 'Store a value (optionally expiring)', tags, params: KeyParams, body: PutBody,
      response: { 200: StorageWire.describe('The stored entry'), ...problemResponses },
    },
  }, async (request) => {
    const { namespace, key } = request.params;
    return presentStorage(await tasker.putStorage(namespace, key, request.body.value as JsonValue, request.body.ttl));
  });

  app.delete('/v1/storage/:namespace/:key', {
    schema: {
      summary: 'Delete a stored value', tags, params: KeyParams,
      response: { 204: z.null().describe('Deleted'), ...problemResponses },
    },
  }, async (request, reply) => {
    await tasker.deleteStorage(request.params.namespace, request.params.key);
    return reply.code(204).send();
  });
}
