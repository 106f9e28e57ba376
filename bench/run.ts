// `npm run bench [-- --quick] [-- --json] [-- --only B1,B3]`: runs every
// scenario (each with its raw baseline in the same run), prints a table,
// and writes bench/results/latest.json as { "<scenario>": { "<metric>": n } }
// plus "machine" and "notes". Never part of `npm test`.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from './scenarios/index.js';
import { TARGETS } from './targets.js';
import type { ScenarioContext } from './lib/scenario.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const asJson = args.includes('--json');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg === undefined ? undefined : new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1])?.split(',') ?? []);

const env = process.env;
const ctx: ScenarioContext = {
  quick,
  log: (line) => process.stderr.write(`${line}\n`),
  mariadbUrl: env.TASKER_BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/',
  postgresUrl: env.TASKER_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: env.TASKER_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};
if (env.TASKER_BENCH_MARIADB_URL === '') ctx.mariadbUrl = undefined;
if (env.TASKER_BENCH_POSTGRES_URL === '') ctx.postgresUrl = undefined;
if (env.TASKER_BENCH_REDIS_URL === '') ctx.redisUrl = undefined;

const results: Record<string, Record<string, number>> = {};
const notes: Record<string, string> = {};
const started = Date.now();
for (const scenario of SCENARIOS) {
  if (only !== undefined && !only.has(scenario.name)) continue;
  ctx.log(`== ${scenario.name}: ${scenario.title}`);
  const t0 = Date.now();
  try {
    const result = await scenario.run(ctx);
    results[scenario.name] = result.metrics;
    for (const [k, v] of Object.entries(result.notes ?? {})) notes[`${scenario.name}.${k}`] = v;
  } catch (err) {
    notes[`${scenario.name}.error`] = err instanceof Error ? (err.stack ?? err.message) : String(err);
    ctx.log(`   failed: ${notes[`${scenario.name}.error`]}`);
  }
  ctx.log(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

// Side-by-side ratios that need two scenarios' figures.
const ours = results.B3?.execPerSec;
const peer = results['peer.n8n']?.B3ExecPerSec;
if (ours !== undefined && peer !== undefined && peer > 0 && results.B3 !== undefined) results.B3.vsN8n = ours / peer;

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  quick,
  date: new Date().toISOString(),
  totalSeconds: Math.round((Date.now() - started) / 1000),
};
const outDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
await mkdir(outDir, { recursive: true });
const document = { ...results, machine, notes };
await writeFile(join(outDir, 'latest.json'), `${JSON.stringify(document, null, 2)}\n`);

if (asJson) {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
} else {
  const rows = Object.entries(results).flatMap(([scenario, metrics]) =>
    Object.entries(metrics).map(([metric, value]) => {
      const key = `${scenario}.${metric}`;
      const target = TARGETS[key];
      const verdict = target === undefined ? '' : target.met(value) ? 'met' : 'MISSED';
      return [key, formatNumber(value), target?.text ?? '', verdict];
    }));
  const header = ['metric', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const [k, v] of Object.entries(notes)) console.log(`note ${k}: ${v.split('\n')[0]}`);
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GiB, Node ${machine.node}; written to bench/results/latest.json`);
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toFixed(3);
}
