// The target an http-step benchmark calls: node:http on 127.0.0.1
// (ephemeral port) answering every request at once with a small JSON body,
// connections kept alive (Node's default). close() drops open sockets too.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonTarget {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

const BODY = JSON.stringify({ ok: true, id: 1, name: 'bench' });

export async function startJsonTarget(): Promise<JsonTarget> {
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    // Drain any request body, then answer.
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/item`,
    requests: () => count,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
