// B2: what Tasker adds per step beyond the commit itself:
// (wall time of the 40-step task − 40 raw commits) / 40, on embedded SQLite
// (shared with B1) and, when their URLs are set, on MariaDB and PostgreSQL
// with Redis (BullMQ queue, kv), each on a fresh database and key prefix.
import type { Scenario, ScenarioResult } from '../lib/scenario.js';
import { measureEmbedded, measureOnServer, NOOP_STEPS, type DurableStepsFigures } from '../lib/durable-noop-steps.js';

const perStep = (f: DurableStepsFigures): number => (f.wall.p50 - f.raw.p50) / NOOP_STEPS;

export const b2: Scenario = {
  name: 'B2',
  title: 'per-step overhead over the raw commit: (B1 − raw commits) / 40, embedded and on MariaDB/PostgreSQL + Redis',
  async run(ctx) {
    const embedded = await measureEmbedded(ctx);
    const result: Required<ScenarioResult> = {
      metrics: { perStepMs: perStep(embedded), rawCommitsMs: embedded.raw.p50 },
      notes: {},
    };
    if (ctx.redisUrl === undefined) result.notes.redis = 'no Redis URL: the server figures use the in-process queue';
    const servers = [
      { dialect: 'mariadb', url: ctx.mariadbUrl, suffix: 'Mariadb' },
      { dialect: 'postgres', url: ctx.postgresUrl, suffix: 'Postgres' },
    ] as const;
    for (const server of servers) {
      if (server.url === undefined) {
        result.notes[server.dialect] = 'skipped: no admin URL';
        continue;
      }
      ctx.log(`   ${server.dialect}…`);
      try {
        const figures = await measureOnServer(ctx, server.dialect, server.url, ctx.redisUrl);
        result.metrics[`perStepMs${server.suffix}`] = perStep(figures);
        result.metrics[`wallMs${server.suffix}`] = figures.wall.p50;
        result.metrics[`rawCommitsMs${server.suffix}`] = figures.raw.p50;
      } catch (err) {
        result.notes[server.dialect] = `failed: ${err instanceof Error ? err.message : String(err)}`;
        ctx.log(`   ${server.dialect} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
    return result;
  },
};
