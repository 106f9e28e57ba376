// What a benchmark scenario is: a named measurement that runs its own raw
// baseline in the same process run, so the figures it returns can be read as
// ratios that survive a noisy machine. Metrics are plain numbers keyed as in
// docs/benchmarks.md; anything that is not a number (an error, a version, the
// reason a figure is missing) goes in `notes`.
export interface ScenarioContext {
  /** `--quick`: a smoke run, the whole bench under 60 s. */
  quick: boolean;
  /** Progress lines for the human watching (stderr, so `--json` stays clean). */
  log(line: string): void;
  /** MariaDB admin URL (TASKER_BENCH_MARIADB_URL), when the queue/MariaDB figures should run. */
  mariadbUrl: string | undefined;
  /** PostgreSQL admin URL (TASKER_BENCH_POSTGRES_URL), when the PostgreSQL figures should run. */
  postgresUrl: string | undefined;
  /** Redis URL (TASKER_BENCH_REDIS_URL), needed by the queue-mode figures. */
  redisUrl: string | undefined;
}

export interface ScenarioResult {
  metrics: Record<string, number>;
  notes?: Record<string, string>;
}

export interface Scenario {
  /** Key in bench/results/latest.json: B1 … B7, peer.n8n. */
  name: string;
  /** One line for the table: what is measured. */
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
