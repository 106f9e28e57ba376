// The seed (Go) version's routes and wire shapes, kept so its clients work
// unchanged: snake_case fields, its task format, and an execute call that runs
// to the end. They map onto the same Tasker calls as /v1; no logic of their own.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isFinished } from '../../domain/execution.js';
import { TaskerError } from '../../domain/errors.js';
import type { TaskRecord } from '../../ports/task-store.js';
import type { HttpDeps } from './http-deps.js';
import type { ZodTypeProvider } from './zod-route-schema.js';
import { idParam } from './request-schemas.js';
import { presentSchedule, presentSeedExecution, presentTask } from './presenters.js';
import { problemResponses, ScheduleWire, SeedExecutionWire, TaskWire } from './wire-schemas.js';

/** The seed's execute call waits for the end; past this it answers 202 with the current status. */
export const SEED_EXECUTE_CAP_MS = 60 * 60_000;
const WAIT_SLICE_MS = 60_000;

const seedTask = (task: TaskRecord) => ({ ...presentTask(task), steps: task.definition.steps });
const SeedTaskWire = TaskWire.extend({ steps: z.array(z.unknown()) });

const SeedTaskBody = z
  .unknown()
  .refine((v) => v !== undefined, { message: 'a task is required' })
  .describe('{ name, steps: [{ id: 1, type: "api_call", params: { url, method, body, headers }, failure_step }] } (the v1 format works too)');

const idLike = z.union([z.string().min(1), z.number().int()]).transform(String);

const SeedScheduleBody = z.looseObject({
  task_id: idLike.optional().describe('the task id or name (or taskId)'),
  taskId: idLike.optional(),
  cron: z.string().optional().describe('the cron expression (or cron_expression)'),
  cron_expression: z.string().optional(),
});

const ExecuteBody = z.looseObject({ idempotency_token: z.string().min(1).max(255).optional() }).optional();

export function registerSeedRoutes(root: FastifyInstance, { tasker }: HttpDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['seed-compatible'];

  app.post('/task/', {
    schema: {
      summary: 'Create a task (seed format)', tags, body: SeedTaskBody,
      response: { 201: SeedTaskWire.describe('The created task, with its id'), ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(seedTask(await tasker.createTask(request.body))));

  app.get('/task/:taskID', {
    schema: {
      summary: 'Get a task (seed route)', tags, params: z.object({ taskID: idParam }),
      response: { 200: SeedTaskWire.describe('The task'), ...problemResponses },
    },
  }, async (request) => seedTask(await tasker.getTask(request.params.taskID)));

  app.post('/schedule/', {
    schema: {
      summary: 'Create a schedule (seed route: task_id, cron)', tags, body: SeedScheduleBody,
      response: { 201: ScheduleWire.extend({ task_id: z.string() }).describe('The created schedule'), ...problemResponses },
    },
  }, async (request, reply) => {
    const { task_id, taskId, cron, cron_expression, ...rest } = request.body;
    const input: Record<string, unknown> = { ...rest };
    if ((taskId ?? task_id) !== undefined) input.taskId = taskId ?? task_id;
    if ((cron ?? cron_expression) !== undefined) input.cron = cron ?? cron_expression;
    const schedule = await tasker.createSchedule(input);
    return reply.code(201).send({ ...presentSchedule(schedule), task_id: schedule.taskId });
  });

  app.post('/task/:taskID/execute/:scheduleID', {
    schema: {
      summary: 'Run a task with its schedule\'s input, to the end (seed route)', tags,
      params: z.object({ taskID: idParam, scheduleID: idParam }),
      body: ExecuteBody,
      response: {
        200: SeedExecutionWire.describe('The finished execution'),
        202: SeedExecutionWire.describe('Still running after an hour: its current status'),
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const { taskID, scheduleID } = request.params;
    const [task, schedule] = await Promise.all([tasker.getTask(taskID), tasker.getSchedule(scheduleID)]);
    if (schedule.taskId !== task.id) {
      throw new TaskerError('REQUEST_INVALID', `schedule ${scheduleID} belongs to another task`, [
        { path: '/params/scheduleID', message: `is a schedule of task ${schedule.taskId}, not ${task.id}` },
      ]);
    }
    const { execution } = await tasker.startExecution({
      task: task.id,
      input: schedule.input,
      idempotencyKey: request.body?.idempotency_token ?? null,
      trigger: 'api',
      scheduleId: schedule.id,
    });
    let clientGone = false;
    reply.raw.once('close', () => { clientGone = true; });
    const deadline = Date.now() + SEED_EXECUTE_CAP_MS;
    let current = execution;
    while (!isFinished(current.status) && Date.now() < deadline && !clientGone) {
      current = await tasker.waitForExecution(execution.id, Math.min(WAIT_SLICE_MS, deadline - Date.now()));
    }
    return reply.code(isFinished(current.status) ? 200 : 202).send(presentSeedExecution(current, scheduleID));
  });

  app.post('/jobs/execute-scheduled-tasks', {
    schema: {
      summary: 'Fire every due schedule now (for deployments driven by an outside cron)', tags,
      response: {
        200: z.object({ fired: z.number().int(), executionIds: z.array(z.string()) }).describe('What was started'),
        ...problemResponses,
      },
    },
  }, async () => {
    const { fired, executionIds } = await tasker.fireDueSchedules();
    return { fired, executionIds };
  });
}
