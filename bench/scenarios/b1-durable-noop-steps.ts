// B1: wall time of a 40-step task of no-op transforms started over the real
// API with ?wait=, on an embedded SQLite file, every step journaled, next to
// 40 raw SQLite commits of journal-sized rows with Tasker's pragmas.
import type { Scenario } from '../lib/scenario.js';
import { measureEmbedded, NOOP_STEPS, runCounts } from '../lib/durable-noop-steps.js';

export const b1: Scenario = {
  name: 'B1',
  title: `${NOOP_STEPS} no-op transform steps over the API (?wait=), embedded SQLite, each step journaled`,
  async run(ctx) {
    const { wall, raw } = await measureEmbedded(ctx);
    return {
      metrics: {
        wallMsP50: wall.p50,
        wallMsP90: wall.p90,
        wallMsMin: wall.min,
        rawCommitsMs: raw.p50,
        vsRaw: wall.p50 / raw.p50,
      },
      notes: {
        method: `${runCounts(ctx).runs} runs after ${runCounts(ctx).warmups} warm-ups, alternating with the raw baseline (${NOOP_STEPS} separate better-sqlite3 commits, same pragmas); figures are p50 unless named`,
      },
    };
  },
};
