// Reads a server-sent event stream with fetch, as a browser's EventSource
// would parse it: events (name + data) and comment lines, and whether the
// server closed the stream. For tests against real listening servers.
export interface SseMessage {
  event: string;
  data: string;
}

export interface SseReader {
  response: Response;
  messages: SseMessage[];
  comments: string[];
  /** Resolves when the server ends the stream (or the request is aborted). */
  closed: Promise<void>;
  /** Resolves with the messages once `count` have arrived (rejects if the stream ends first). */
  waitFor(count: number): Promise<SseMessage[]>;
  abort(): void;
}

export async function openSse(url: string, init: RequestInit = {}): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal, headers: { accept: 'text/event-stream' } });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters: { count: number; resolve(m: SseMessage[]): void; reject(e: Error): void }[] = [];
  let ended = false;
  const notify = () => {
    for (const w of [...waiters]) {
      if (messages.length >= w.count) w.resolve(messages.slice());
      else if (ended) w.reject(new Error(`the stream ended after ${messages.length} events, expected ${w.count}: ${JSON.stringify(messages.map((m) => m.event))}`));
      else continue;
      waiters.splice(waiters.indexOf(w), 1);
    }
  };
  const parseBlock = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) messages.push({ event, data: data.join('\n') });
  };
  const closed = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          parseBlock(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
        notify();
      }
    } catch {
      // aborted by the test
    } finally {
      ended = true;
      notify();
    }
  })();
  return {
    response,
    messages,
    comments,
    closed,
    waitFor: (count) => new Promise((resolve, reject) => {
      waiters.push({ count, resolve, reject });
      notify();
    }),
    abort: () => controller.abort(),
  };
}
