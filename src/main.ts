// The composition root: configuration -> adapters -> use cases. The one place
// that knows which store, queue and step runners this process uses; every
// driving adapter (HTTP API, CLI, scheduler) gets the `Tasker` built here.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Config } from './config.js';
import { checkCron, checkTimezone, nextFireTimes } from './domain/cron.js';
import { createSqlStores } from './adapters/sql/index.js';
import { InProcessJobQueue } from './adapters/memory/in-process-job-queue.js';
import { createLocalOwner } from './adapters/local-owner.js';
import { createBuiltinStepRunners } from './adapters/steps/builtin-steps.js';
import { BUILTIN_STEP_PARAM_CHECKS } from './adapters/steps/step-param-checks.js';
import type { AppDeps } from './app/deps.js';
import { TaskerEventBus } from './app/events.js';
import { CompiledTaskCache } from './app/compiled-tasks.js';
import { InFlight } from './app/in-flight.js';
import { createRedactor } from './app/redact-secrets.js';
import { ExecutionDriver } from './app/drive-execution.js';
import { ManageTasks } from './app/manage-tasks.js';
import { StartExecution } from './app/start-execution.js';
import { StartSubtask } from './app/start-subtask.js';
import { RetryExecution } from './app/retry-execution.js';
import { QueryExecutions } from './app/query-executions.js';
import { WatchExecution } from './app/watch-execution.js';
import { PruneExecutions } from './app/prune-executions.js';
import { RetentionLoop } from './app/run-retention.js';
import { CancelExecution } from './app/cancel-execution.js';
import { ManageSchedules } from './app/manage-schedules.js';
import { FireDueSchedules } from './app/fire-due-schedules.js';
import { BackfillSchedule } from './app/backfill-schedule.js';
import { QueryOccurrences } from './app/query-occurrences.js';
import { SchedulerLoop } from './app/run-scheduler.js';
import { WorkerLoop } from './app/run-worker.js';
import { ManageStorage } from './app/manage-storage.js';
import type { Tasker } from './app/tasker.js';
import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { JobQueue } from './ports/job-queue.js';
import { TaskerError } from './domain/errors.js';

export interface Runtime {
  tasker: Tasker;
  events: TaskerEventBus;
  config: Config;
  logger: Logger;
  /** What this process runs on, for the start-up log line. */
  backends: { db: string; queue: 'in-process' | 'bullmq' };
  /** Starts the worker and the scheduler, as the configured role says (the caller logs that it started). */
  start(): Promise<void>;
  /** Stops the worker (grace period for in-flight steps) and scheduler, then closes the database. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  logger?: Logger;
}

const systemClock: Clock = { now: () => Date.now() };
const LATE_TOLERANCE_MS = 60_000;
const MAX_PREVIEW = 1000;

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger: Logger = options.logger ?? pino({ level: config.logLevel, base: { pid: process.pid } });
  const clock = options.clock ?? systemClock;
  const stores = await createSqlStores(config.dbUrl);
  const events = new TaskerEventBus();
  // With TASKER_REDIS_URL: storage in Redis and dispatch through BullMQ; the SQL store stays the source of truth.
  const redis = config.redisUrl === undefined
    ? undefined
    // Loaded only when configured: BullMQ and ioredis are a good part of start-up time otherwise.
    : await (await import('./adapters/redis/index.js')).createRedisAdapters({ url: config.redisUrl, prefix: config.redisPrefix, clock, logger, leaseMs: config.leaseMs }).catch(async (err: unknown) => {
      await stores.close();
      throw err;
    });
  // Finishes here are told to the other processes; theirs wake this one's ?wait= and event streams.
  const offNotices = redis === undefined ? undefined : [
    events.on('execution.finished', ({ execution }) => redis.notices.publish(execution.id)),
    ...(config.role === 'all' || config.role === 'api'
      ? [redis.notices.onFinishedElsewhere((executionId) => events.emit('execution.finished.elsewhere', { executionId }))]
      : []),
  ];
  const kv = redis?.kv ?? stores.kv;
  const queue: JobQueue = redis?.queue ?? new InProcessJobQueue(clock, {
    onError: (err, executionId) => logger.error({ err, executionId }, 'job handler failed'),
  });
  const runners = new Map(createBuiltinStepRunners({ kv }).map((r) => [r.type, r] as const));
  const deps: AppDeps = {
    tasks: stores.tasks,
    schedules: stores.schedules,
    executions: stores.executions,
    occurrences: stores.occurrences,
    kv,
    queue,
    clock,
    logger,
    events,
    runners,
    catalog: { types: [...runners.keys()], checkParams: BUILTIN_STEP_PARAM_CHECKS },
    settings: {
      leaseMs: config.leaseMs,
      workerConcurrency: config.workerConcurrency,
      maxOutputBytes: config.maxOutputBytes,
      expressionTimeoutMs: config.expressionTimeoutMs,
      secrets: config.secrets,
      lateToleranceMs: LATE_TOLERANCE_MS,
      // A scheduler beside separate API processes must notice their new schedules soon.
      schedulerMaxSleepMs: config.role === 'scheduler' ? 1_000 : 30_000,
      fireConcurrency: stores.concurrentWrites,
      retentionMs: config.retentionMs,
    },
    newId: () => randomUUID(),
    ping: async () => (await stores.ping()) && (redis === undefined || (await redis.ping())),
  };

  const inFlight = new InFlight();
  const localOwner = createLocalOwner();
  const owner = localOwner.name;
  const tasks = new ManageTasks(deps);
  const starter = new StartExecution(deps, tasks);
  const queries = new QueryExecutions(deps, tasks);
  const watcher = new WatchExecution(deps);
  const pruner = new PruneExecutions(deps);
  const retention = new RetentionLoop(deps, pruner);
  const canceler = new CancelExecution(deps, inFlight);
  const firing = new FireDueSchedules(deps, starter, canceler);
  const scheduler = new SchedulerLoop(deps, firing);
  const schedules = new ManageSchedules(deps, tasks, starter, () => scheduler.wake());
  const occurrences = new QueryOccurrences(deps, schedules);
  const backfiller = new BackfillSchedule(deps, schedules, starter);
  const subtasks = new StartSubtask(deps, starter);
  const retrier = new RetryExecution(deps, starter);
  const driver = new ExecutionDriver(deps, new CompiledTaskCache(stores.tasks), inFlight, createRedactor(config.secrets), subtasks, owner, canceler);
  const worker = new WorkerLoop(deps, driver, inFlight, (other) => localOwner.isDead(other));
  const storage = new ManageStorage(deps);

  const runsWorker = config.role === 'all' || config.role === 'worker';
  const runsScheduler = config.role === 'all' || config.role === 'scheduler';
  let started = false;

  const tasker: Tasker = {
    validateDefinition: (raw) => tasks.validate(raw),
    createTask: (raw) => tasks.create(raw),
    updateTask: (idOrName, raw) => tasks.update(idOrName, raw),
    applyTask: (raw) => tasks.apply(raw),
    getTask: (idOrName) => tasks.get(idOrName),
    listTasks: (o) => tasks.list(o),
    listTaskVersions: (idOrName) => tasks.versions(idOrName),
    deleteTask: (idOrName) => tasks.delete(idOrName),
    startExecution: (request) =>
      starter.start({
        task: request.task,
        ...(request.input !== undefined ? { input: request.input } : {}),
        idempotencyKey: request.idempotencyKey ?? null,
        trigger: request.trigger ?? 'api',
        scheduleId: request.scheduleId ?? null,
      }),
    getExecution: (id) => queries.get(id),
    waitForExecution: (id, timeoutMs) => queries.waitFor(id, timeoutMs),
    listExecutions: (filter) => queries.list(filter),
    planRetry: (id, options) => retrier.plan(id, options),
    retryExecution: (id, options) => retrier.retry(id, options),
    cancelExecution: async (id) => {
      await canceler.cancel(id);
      return queries.get(id);
    },
    watchExecution: (id, signal) => watcher.watch(id, signal),
    pruneExecutions: () => pruner.prune(),
    createSchedule: (input) => schedules.create(input),
    getSchedule: (id) => schedules.get(id),
    listSchedules: (o) => schedules.list(o),
    updateSchedule: (id, patch) => schedules.update(id, patch),
    deleteSchedule: (id) => schedules.delete(id),
    setScheduleEnabled: (id, enabled) => schedules.setEnabled(id, enabled),
    triggerSchedule: (id) => schedules.trigger(id),
    nextScheduleFires: (id, count) => schedules.next(id, count),
    listScheduleOccurrences: (id, options) => occurrences.list(id, options),
    backfillSchedule: (id, request) => backfiller.backfill(id, request),
    fireDueSchedules: () => firing.fireDue(),
    previewCron: (expr, timezone, from, count) => {
      const cron = checkCron(expr);
      const problems = [];
      if (!cron.ok) problems.push({ path: '/expr', message: cron.message });
      if (!checkTimezone(timezone)) problems.push({ path: '/tz', message: `unknown time zone ${JSON.stringify(timezone)}: expected an IANA name like Europe/Berlin` });
      if (problems.length > 0) throw new TaskerError('CRON_INVALID', problems.map((p) => p.message).join('; '), problems);
      return nextFireTimes(expr, timezone, from, Math.min(Math.max(1, count), MAX_PREVIEW));
    },
    getStorage: (ns, key) => storage.get(ns, key),
    putStorage: (ns, key, value, ttlMs) => storage.put(ns, key, value, ttlMs),
    deleteStorage: (ns, key) => storage.delete(ns, key),
    ready: () => deps.ping(),
  };

  return {
    tasker,
    events,
    config,
    logger,
    backends: { db: stores.dialect, queue: redis === undefined ? 'in-process' : 'bullmq' },
    async start() {
      if (started) return;
      started = true;
      if (runsWorker) await worker.start();
      if (runsWorker) retention.start();
      if (runsScheduler) scheduler.start();
    },
    async close() {
      if (started) {
        await scheduler.stop();
        await retention.stop();
        if (runsWorker) await worker.stop(config.shutdownGraceMs);
      }
      for (const off of offNotices ?? []) off();
      await redis?.close();
      await stores.close();
    },
  };
}
