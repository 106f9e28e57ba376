// A closed-loop load generator: `concurrency` clients, each sending its next
// request only when the previous one has answered, for `durationMs`. Closed
// loop (rather than a fixed arrival rate) measures the throughput the service
// sustains without building an unbounded backlog, and it is the method used
// for both Tasker and the n8n peer so their figures compare.
import { Pool } from 'undici';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  /** One request; resolves true when it counts as completed (e.g. 2xx and succeeded). */
  request: () => Promise<boolean>;
}

export interface ClosedLoopResult {
  completed: number;
  failed: number;
  /** Completed requests per second of measured wall time. */
  perSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { concurrency, durationMs, request } = options;
  const latencies: number[] = [];
  let completed = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + durationMs;

  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await request();
      } catch {
        ok = false;
      }
      const t1 = performance.now();
      // A request that ends after the deadline still counts: the wall time
      // below runs until the last one answers, so the rate stays honest.
      if (ok) {
        completed += 1;
        latencies.push(t1 - t0);
      } else {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsedMs = performance.now() - started;

  latencies.sort((a, b) => a - b);
  return {
    completed,
    failed,
    perSec: elapsedMs > 0 ? (completed * 1000) / elapsedMs : 0,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
  };
}

/** Nearest-rank percentile of an ascending array; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/**
 * The load generator's HTTP client: undici's plain `request` on one
 * keep-alive pool per origin. It costs the bench process far less CPU per
 * call than `fetch` (no WHATWG Request/Response objects), and on a 2-core
 * machine the client's CPU is taken from the server under test. Every
 * closed-loop scenario (Tasker and its peers) uses it, so they compare.
 */
export function jsonPoster(url: string, connections: number): { post(body: string): Promise<{ status: number; body: unknown }>; close(): Promise<void> } {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const path = `${target.pathname}${target.search}`;
  return {
    async post(body) {
      const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      let parsed: unknown = null;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: res.statusCode, body: parsed };
    },
    close: () => pool.close(),
  };
}
