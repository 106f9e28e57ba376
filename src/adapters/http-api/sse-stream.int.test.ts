// The SSE writer on a real Node server: headers, framing (multi-line data),
// heartbeat comments, and the signal that fires when the client goes away.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse } from '../../../test/support/sse-client.js';
import { openSseStream, type SseStream } from './sse-stream.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(onStream: (stream: SseStream) => void, heartbeatMs: number): Promise<string> {
  server = createServer((_req, res) => onStream(openSseStream(res, { heartbeatMs })));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('an SSE stream', () => {
  it('frames events, splits multi-line data and ends when told', async () => {
    const url = await serve((stream) => {
      stream.send('one', '{"a":1}');
      stream.send('two', 'line 1\nline 2');
      stream.end();
      stream.send('late', 'never sent');
    }, 60_000);
    const reader = await openSse(url);
    await reader.closed;
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('cache-control')).toContain('no-cache');
    expect(reader.messages).toEqual([{ event: 'one', data: '{"a":1}' }, { event: 'two', data: 'line 1\nline 2' }]);
  });

  it('sends heartbeat comments while idle and aborts its signal when the client leaves', async () => {
    let stream: SseStream | undefined;
    const url = await serve((s) => (stream = s), 30);
    const reader = await openSse(url);
    while (reader.comments.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(reader.comments.slice(0, 2)).toEqual(['heartbeat', 'heartbeat']);
    expect(stream?.signal.aborted).toBe(false);
    reader.abort();
    while (!stream?.signal.aborted) await new Promise((r) => setTimeout(r, 10));
    stream.send('after', 'x'); // a closed stream ignores sends
    stream.end();
  });
});
