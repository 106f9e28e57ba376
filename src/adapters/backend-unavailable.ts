// Tells a backing service being down (database or Redis: refused, reset or
// dropped connections, a server shutting down) from a bug, so the API can
// answer 503 and let clients retry instead of a 500. Looks through `cause`
// chains and aggregate errors, by error code only (never message text).

const UNAVAILABLE_CODES = new Set([
  // Node sockets
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN',
  // mysql2
  'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'PROTOCOL_SEQUENCE_TIMEOUT',
  // pg (SQLSTATE classes 08 connection exception, 57P admin shutdown / cannot connect now)
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03',
  // SQLite: the file is locked past busy_timeout
  'SQLITE_BUSY',
]);

export function isBackendUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isBackendUnavailable(inner, depth + 1))) return true;
  return isBackendUnavailable(e.cause, depth + 1);
}
