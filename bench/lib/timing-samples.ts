// Repeated timing of one async operation: warm-ups first (JIT, caches,
// connection pools), then `runs` measured calls, each timed alone with
// performance.now(). Summaries are plain percentiles of those samples.
export interface TimingSummary {
  p50: number;
  p90: number;
  min: number;
  samples: number[];
}

/** Runs `fn` `warmups` times unmeasured, then `runs` times measured, one after the other. */
export async function timeRuns(runs: number, warmups: number, fn: () => Promise<void>): Promise<TimingSummary> {
  for (let i = 0; i < warmups; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export function summarize(samples: readonly number[]): TimingSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), min: sorted[0] ?? Number.NaN, samples: [...samples] };
}

/** Nearest-rank percentile of ascending samples (NaN when there are none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
