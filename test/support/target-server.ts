// A real HTTP server on 127.0.0.1 (ephemeral port) that records every request
// and answers with a handler the test provides: the "API" tasks call.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
  /** The client's port: tells which process (socket) sent it. */
  remotePort: number;
  /** When the response was finished, or the connection closed before it was (`aborted`). */
  endedAt?: number;
  /** The client went away before the response was sent (its process died, or it gave up). */
  aborted?: boolean;
}

export interface TargetServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests received and not yet answered nor aborted. */
  inFlight(): RecordedRequest[];
  close(): Promise<void>;
}

export async function startTargetServer(handler: (req: RecordedRequest, res: ServerResponse, index: number) => void): Promise<TargetServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), remotePort: req.socket.remotePort ?? 0 };
      requests.push(recorded);
      res.once('close', () => {
        recorded.endedAt = Date.now();
        if (!res.writableFinished) recorded.aborted = true;
      });
      handler(recorded, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    inFlight: () => requests.filter((r) => r.endedAt === undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
