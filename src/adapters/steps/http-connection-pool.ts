// Keep-alive connections for the http step, without a shared pool's
// surprises. Each request leases one connection (an undici Client: one
// socket, one origin) for itself alone; a run that read its response in full
// hands it back for the next request to that origin, and every other ending
// (timeout, cancel, error status, a body cut short) destroys it at once, so an
// aborted request can leave nothing behind: neither its own socket nor the
// never-used one undici 7's shared pool opens after an abort
// (nodejs/undici#5845). An idle socket is closed after `idleMs`: long enough
// for the next step of an execution, far shorter than servers' idle limits
// (Node 5 s, nginx 75 s), so a socket rarely goes stale under a request.
import { Client, type Dispatcher } from 'undici';

export interface ConnectionLease {
  dispatcher: Dispatcher;
  /** True when the connection served an earlier request (its socket may have gone stale). */
  reused: boolean;
  /** Keep it for the next request (only after a response read in full) or destroy it. Once. */
  release(keep: boolean): void;
}

export interface HttpConnectionPoolOptions {
  /** How long an idle socket stays open. Default 500 ms. */
  idleMs?: number;
  /** Idle connections kept across all origins; more are closed. Default 64. */
  maxIdle?: number;
}

export class HttpConnectionPool {
  private readonly idle = new Map<string, Client[]>();
  private idleCount = 0;
  private readonly idleMs: number;
  private readonly maxIdle: number;

  constructor(options: HttpConnectionPoolOptions = {}) {
    this.idleMs = options.idleMs ?? 500;
    this.maxIdle = options.maxIdle ?? 64;
  }

  acquire(origin: string): ConnectionLease {
    const list = this.idle.get(origin);
    const kept = list?.pop();
    if (kept !== undefined) this.idleCount--;
    if (list?.length === 0) this.idle.delete(origin);
    const client = kept ?? new Client(origin, { keepAliveTimeout: this.idleMs, keepAliveMaxTimeout: this.idleMs });
    let released = false;
    return {
      dispatcher: client,
      reused: kept !== undefined,
      release: (keep) => {
        if (released) return;
        released = true;
        if (keep && !client.closed && !client.destroyed && this.idleCount < this.maxIdle) {
          const list = this.idle.get(origin) ?? [];
          list.push(client);
          this.idle.set(origin, list);
          this.idleCount++;
        } else {
          client.destroy().catch(() => undefined);
        }
      },
    };
  }

  /** Closes every idle connection (leases still out are destroyed by their runs). */
  async close(): Promise<void> {
    const clients = [...this.idle.values()].flat();
    this.idle.clear();
    this.idleCount = 0;
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
}
