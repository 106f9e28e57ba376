// All configuration, parsed once at start from TASKER_* environment variables
// (and CLI flag overrides). The only module that reads process.env. A bad
// value stops start-up with a message that says how to fix it.
import { z } from 'zod';
import { parseDuration } from './domain/duration.js';

const duration = (name: string, fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const r = parseDuration(v);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: `${name}: ${r.message}` });
        return z.NEVER;
      }
      return r.ms;
    });

/** TASKER_RETENTION: `forever` (the default) or a duration of at least 1m, like 30d. */
const retention = z
  .union([z.string(), z.number()])
  .default('forever')
  .transform((v, ctx) => {
    if (typeof v === 'string' && v.trim().toLowerCase() === 'forever') return null;
    const r = parseDuration(v);
    if (!r.ok || r.ms < 60_000) {
      ctx.addIssue({ code: 'custom', message: `TASKER_RETENTION: expected a duration of at least 1m like 30d or 12h, or 'forever' to keep every execution; got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return r.ms;
  });

const ROLES = ['all', 'api', 'scheduler', 'worker'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const ConfigSchema = z.object({
  TASKER_DB_URL: z.string().min(1).default('sqlite:./data/tasker.db'),
  TASKER_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'TASKER_REDIS_URL: expected a URL like redis://127.0.0.1:6379 (or rediss:// for TLS)')
    .optional(),
  TASKER_REDIS_PREFIX: z
    .string()
    .regex(/^\S{1,64}$/, 'TASKER_REDIS_PREFIX: expected 1-64 characters without spaces, like tasker: or prod-tasker:')
    .default('tasker:'),
  TASKER_PORT: z.coerce
    .number({ message: 'TASKER_PORT: expected a port number like 3333' })
    .int()
    .min(0, 'TASKER_PORT: expected 0..65535')
    .max(65535, 'TASKER_PORT: expected 0..65535')
    .default(3333),
  TASKER_HOST: z.string().min(1).default('127.0.0.1'),
  TASKER_ROLE: z.enum(ROLES, { message: `TASKER_ROLE: expected one of ${ROLES.join(', ')}` }).default('all'),
  TASKER_API_TOKEN: z.string().optional(),
  TASKER_SECRET_KEY: z.string().optional(),
  TASKER_LOG_LEVEL: z.enum(LOG_LEVELS, { message: `TASKER_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  TASKER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  TASKER_LEASE: duration('TASKER_LEASE', '10s').refine((ms) => ms >= 1000, 'TASKER_LEASE: must be at least 1s'),
  TASKER_BODY_LIMIT: z.coerce.number().int().min(1024).default(1_048_576),
  TASKER_MAX_OUTPUT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  TASKER_EXPRESSION_TIMEOUT: duration('TASKER_EXPRESSION_TIMEOUT', '1s'),
  TASKER_SHUTDOWN_GRACE: duration('TASKER_SHUTDOWN_GRACE', '10s'),
  TASKER_RETENTION: retention,
});

export interface Config {
  dbUrl: string;
  redisUrl: string | undefined;
  /** Put before every Redis key (kv entries and BullMQ's); lets deployments share one Redis. */
  redisPrefix: string;
  port: number;
  host: string;
  role: (typeof ROLES)[number];
  apiToken: string | undefined;
  secretKey: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  workerConcurrency: number;
  leaseMs: number;
  bodyLimitBytes: number;
  maxOutputBytes: number;
  expressionTimeoutMs: number;
  shutdownGraceMs: number;
  /** Finished executions older than this are pruned; null keeps them forever (the default). */
  retentionMs: number | null;
  /** TASKER_SECRET_<NAME> values, by NAME. */
  secrets: Record<string, string>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses configuration from an environment (default: process.env) plus overrides (CLI flags). */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof z.input<typeof ConfigSchema>, string | number>> = {}): Config {
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = overrides[key as keyof typeof overrides] ?? env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.message.startsWith('TASKER_') ? i.message : `${String(i.path[0])}: ${i.message}`)));
  }
  const c = parsed.data;
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('TASKER_SECRET_') && key !== 'TASKER_SECRET_KEY' && value !== undefined) {
      secrets[key.slice('TASKER_SECRET_'.length)] = value;
    }
  }
  return {
    dbUrl: c.TASKER_DB_URL,
    redisUrl: c.TASKER_REDIS_URL,
    redisPrefix: c.TASKER_REDIS_PREFIX,
    port: c.TASKER_PORT,
    host: c.TASKER_HOST,
    role: c.TASKER_ROLE,
    apiToken: c.TASKER_API_TOKEN,
    secretKey: c.TASKER_SECRET_KEY,
    logLevel: c.TASKER_LOG_LEVEL,
    workerConcurrency: c.TASKER_WORKER_CONCURRENCY,
    leaseMs: c.TASKER_LEASE,
    bodyLimitBytes: c.TASKER_BODY_LIMIT,
    maxOutputBytes: c.TASKER_MAX_OUTPUT_BYTES,
    expressionTimeoutMs: c.TASKER_EXPRESSION_TIMEOUT,
    shutdownGraceMs: c.TASKER_SHUTDOWN_GRACE,
    retentionMs: c.TASKER_RETENTION,
    secrets,
  };
}
