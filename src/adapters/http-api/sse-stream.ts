// Server-sent events on a raw Node response: the headers, `event:`/`data:`
// framing, a heartbeat comment so proxies keep the connection open, and one
// signal that fires when the client goes away or the stream is ended. It
// knows nothing about executions; it never throws on a closed socket.
import type { ServerResponse } from 'node:http';

export const SSE_HEARTBEAT_MS = 15_000;

export interface SseStream {
  /** Sends one event; a no-op once the stream is closed. */
  send(event: string, data: string): void;
  /** Ends the response (idempotent). */
  end(): void;
  /** Aborted when the client disconnects or end() is called. */
  readonly signal: AbortSignal;
}

/** Writes the event-stream headers at once and starts the heartbeat. */
export function openSseStream(res: ServerResponse, options: { heartbeatMs?: number } = {}): SseStream {
  const controller = new AbortController();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx buffers proxied responses unless told not to.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const writable = () => !res.destroyed && !res.writableEnded;
  const heartbeat = setInterval(() => {
    if (writable()) res.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? SSE_HEARTBEAT_MS);
  const closed = () => {
    clearInterval(heartbeat);
    res.off('close', closed);
    controller.abort();
  };
  res.on('close', closed);
  return {
    signal: controller.signal,
    send(event, data) {
      if (!writable()) return;
      // A data field cannot hold a line break: each line gets its own `data:`.
      const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n');
      res.write(`event: ${event}\n${lines}\n\n`);
    },
    end() {
      closed();
      if (writable()) res.end();
    },
  };
}
