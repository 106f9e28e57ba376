// The ioredis connection for plain commands (the kv store, readiness; BullMQ
// opens its own). It fails fast: a command waits through a couple of
// reconnect attempts, not twenty, and a connection-level failure is rethrown
// with the socket's own error (ECONNREFUSED, ...) as its cause, so the API can
// tell "Redis is down" (503) from a bug. Must not: print the URL's password.
import { Redis, ReplyError } from 'ioredis';

/** The last connection error each client saw (cleared when it is ready again). */
const lastConnectionError = new WeakMap<Redis, Error>();

/** A client that reconnects forever in the background and never crashes the process on an 'error' event. */
export function createRedisClient(url: string, connectionName: string): Redis {
  const client = new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  client.on('error', (err: Error) => lastConnectionError.set(client, err));
  client.on('ready', () => lastConnectionError.delete(client));
  return client;
}

/** The URL with its password masked, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparseable Redis URL)';
  }
}

/** Resolves when the server answers PING; otherwise throws an error that says where and how to fix it. */
export async function checkRedis(client: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    const cause = lastConnectionError.get(client) ?? err;
    const reason = cause instanceof Error ? (cause as { code?: string }).code ?? cause.message : String(cause);
    throw new Error(`Redis is not reachable at ${redactRedisUrl(url)} (${reason}): start it, or fix TASKER_REDIS_URL`, { cause });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Rethrows a failed command's error. A reply error (the server refused the
 * command) is a bug and passes through; anything else is the connection, and
 * is rethrown with the socket error the client last saw as its cause.
 */
export function redisFailure(client: Redis, err: unknown): Error {
  if (err instanceof ReplyError) return err as Error;
  const socketError = lastConnectionError.get(client);
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`Redis is not answering: ${message}`, { cause: socketError ?? err });
}
