// Tasker in production shape for end-to-end tests: separate api, scheduler
// and worker processes (the real binary, each in its own process group) over
// a fresh MariaDB database and a fresh Redis key prefix. Processes can be
// killed and restarted by name; every output is kept for the failure report;
// close() kills what is left, drops the database and deletes the keys, even
// after a failure. Must not touch other tests' databases or keys.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { startTaskerRole, type Proc, type TaskerRole } from './processes.js';
import { connectTestRedis, deleteRedisKeys, TEST_REDIS_URL } from './test-redis.js';

/** The shared MariaDB of this machine, as root; override with TASKER_TEST_MARIADB_URL. */
export const MARIADB_ADMIN_URL = process.env.TASKER_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/';

export interface E2eDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE tasker_e2e_<random> on the server at `adminUrl`; drop() removes it (safe twice). */
export async function createE2eDatabase(adminUrl = MARIADB_ADMIN_URL): Promise<E2eDatabase> {
  const name = `tasker_e2e_${randomBytes(5).toString('hex')}`;
  const admin = new URL(adminUrl);
  const run = async (statement: string) => {
    const conn = await mysql.createConnection({
      host: admin.hostname,
      port: Number(admin.port || 3306),
      user: decodeURIComponent(admin.username || 'root'),
      password: decodeURIComponent(admin.password),
      connectTimeout: 5_000,
    });
    try {
      await conn.query(statement);
    } finally {
      await conn.end().catch(() => undefined);
    }
  };
  try {
    await run(`create database \`${name}\``);
  } catch (err) {
    throw new Error(`MariaDB is not reachable at ${admin.host} as ${admin.username || 'root'} (${(err as Error).message}); these tests need it (.ci/run starts it).`, { cause: err });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return { url: url.href, name, drop: () => (dropped ??= run(`drop database if exists \`${name}\``)) };
}

export interface Member {
  name: string;
  role: TaskerRole;
  proc: Proc;
  /** The API's base URL (api and all roles). */
  url: string | undefined;
  /** How many times this member was started (1 for the first). */
  generation: number;
}

export interface ClusterOptions {
  /** TASKER_DB_URL of an existing database; default: a new one on the shared MariaDB (dropped by close()). */
  dbUrl?: string;
  /** Default: the shared Redis (TASKER_TEST_REDIS_URL or redis://127.0.0.1:6379). */
  redisUrl?: string;
  /** Extra environment for every process (TASKER_LEASE, TASKER_WORKER_CONCURRENCY, ...). */
  env?: Record<string, string>;
}

export class TaskerCluster {
  readonly members = new Map<string, Member>();
  /** Every process that ever ran, labelled `<name>#<generation>`. */
  private readonly procs: Array<{ label: string; proc: Proc }> = [];

  private constructor(
    readonly env: Record<string, string>,
    readonly redisPrefix: string,
    private readonly database: E2eDatabase | undefined,
  ) {}

  static async create(options: ClusterOptions = {}): Promise<TaskerCluster> {
    const database = options.dbUrl === undefined ? await createE2eDatabase() : undefined;
    const redisPrefix = `tasker-e2e:${randomBytes(5).toString('hex')}:`;
    const env = {
      TASKER_DB_URL: options.dbUrl ?? database?.url ?? '',
      TASKER_REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
      TASKER_REDIS_PREFIX: redisPrefix,
      TASKER_LOG_LEVEL: 'info',
      ...options.env,
    };
    return new TaskerCluster(env, redisPrefix, database);
  }

  /** Starts `tasker serve --role <role>` as `name` (default: the role plus a number) and waits until it is up. */
  async start(role: TaskerRole, name?: string, env: Record<string, string> = {}): Promise<Member> {
    // Names are taken before the first await, so concurrent starts get distinct ones.
    const chosen = name ?? nextName(role, this.members);
    const previous = this.members.get(chosen);
    if (previous !== undefined && isRunning(previous.proc)) throw new Error(`${chosen} is already running`);
    const generation = (previous?.generation ?? 0) + 1;
    this.members.set(chosen, { name: chosen, role, proc: pendingProc, url: undefined, generation });
    const { proc, url } = await startTaskerRole(role, { ...this.env, ...env }, (spawned) => this.procs.push({ label: `${chosen}#${generation}`, proc: spawned }));
    const member: Member = { name: chosen, role, proc, url, generation };
    this.members.set(chosen, member);
    return member;
  }

  /** Kills a member (SIGKILL by default: the whole process group, no clean-up) and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const member = this.member(name);
    await member.proc.stop(signal);
  }

  /** Starts a stopped member again with the same role and name. */
  async restart(name: string, env: Record<string, string> = {}): Promise<Member> {
    const member = this.member(name);
    return this.start(member.role, name, env);
  }

  member(name: string): Member {
    const member = this.members.get(name);
    if (member === undefined) throw new Error(`no cluster member named ${name}`);
    return member;
  }

  /** The base URL of a running api (or all) member. */
  apiUrl(name?: string): string {
    const member = name !== undefined ? this.member(name) : [...this.members.values()].find((m) => m.url !== undefined && isRunning(m.proc));
    if (member?.url === undefined) throw new Error('no API process is running');
    return member.url;
  }

  /** Every process's output (the last `maxChars` of each), labelled, for a failure report. */
  report(maxChars = 6_000): string {
    const parts: string[] = [];
    for (const { label, proc } of this.procs) {
      const out = proc.output();
      const state = proc.child.exitCode !== null ? `exit ${proc.child.exitCode}` : proc.child.signalCode !== null ? proc.child.signalCode : 'running';
      parts.push(`----- ${label} (pid ${proc.child.pid}, ${state}) -----\n${out.length > maxChars ? `…${out.slice(-maxChars)}` : out}`);
    }
    return parts.join('\n');
  }

  /** Kills every process group, drops the database, deletes the Redis keys. Never throws; safe to call twice. */
  async close(): Promise<void> {
    // TASKER_E2E_VERBOSE=1 prints every process's output even when the test passed.
    if (process.env.TASKER_E2E_VERBOSE === '1') console.error(this.report(Infinity));
    await Promise.all(this.procs.map(({ proc }) => proc.stop('SIGKILL').catch(() => null)));
    await this.database?.drop().catch((err: unknown) => console.error(`could not drop ${this.database?.name}:`, err));
    if (this.env.TASKER_REDIS_URL === TEST_REDIS_URL) {
      try {
        const redis = await connectTestRedis();
        try {
          await deleteRedisKeys(redis, this.redisPrefix);
        } finally {
          redis.disconnect();
        }
      } catch (err) {
        console.error(`could not delete the Redis keys under ${this.redisPrefix}:`, err);
      }
    }
  }
}

function nextName(role: TaskerRole, members: Map<string, Member>): string {
  let n = 1;
  while (members.has(`${role}${n}`)) n++;
  return `${role}${n}`;
}

/** Stands for a member whose process is still starting: not running, output empty. */
const pendingProc: Proc = {
  child: { exitCode: 0, signalCode: null } as Proc['child'],
  output: () => '',
  stop: () => Promise.resolve(null),
  exited: Promise.resolve(null),
};

function isRunning(proc: Proc): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** One JSON request; the body is parsed when there is one (problem+json included). */
export async function requestJson<T = unknown>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/** The same request, asserting the status; the error shows the body. */
export async function expectJson<T = unknown>(status: number, url: string, init: Parameters<typeof requestJson>[1] = {}): Promise<T> {
  const res = await requestJson<T>(url, init);
  if (res.status !== status) throw new Error(`${init.method ?? (init.body === undefined ? 'GET' : 'POST')} ${url}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface ExecutionSummary {
  id: string;
  status: string;
  scheduleId: string | null;
  scheduledFor: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: unknown;
}

/** Every execution matching the query (e.g. `task=x`), following nextCursor. */
export async function listAllExecutions(apiUrl: string, query: string): Promise<ExecutionSummary[]> {
  const all: ExecutionSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: ExecutionSummary[]; nextCursor: string | null } = await expectJson(200, `${apiUrl}/v1/executions?${query}&limit=500${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}

/** Polls `check` until it returns a value other than undefined; the error says what was awaited and what was last seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last !== undefined ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Counts of executions by status, e.g. `{ succeeded: 48, running: 2 }`. */
export function countByStatus(executions: ExecutionSummary[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of executions) counts[e.status] = (counts[e.status] ?? 0) + 1;
  return counts;
}
