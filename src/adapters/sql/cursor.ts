// Opaque pagination cursors over (created_at, id), newest first. A cursor is
// base64url JSON; clients must treat it as opaque. A cursor this server did
// not issue is a client error, never a crash.
import { TaskerError } from '../../domain/errors.js';

export interface CursorPosition {
  createdAt: number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isSafeInteger(parsed[0]) && typeof parsed[1] === 'string') {
      return { createdAt: parsed[0] as number, id: parsed[1] };
    }
  } catch {
    // fall through to the client error below
  }
  throw new TaskerError('REQUEST_INVALID', 'cursor: not a cursor returned by this server', [
    { path: '/cursor', message: 'expected the nextCursor value of a previous page' },
  ]);
}

/** Clamps a page size to 1..1000. */
export function pageSize(limit: number): number {
  if (!Number.isFinite(limit)) return 1000;
  return Math.min(1000, Math.max(1, Math.floor(limit)));
}
