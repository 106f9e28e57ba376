// GET /v1/executions/{id}/events: an execution's live events as server-sent
// events. A snapshot first, then step.started / step.finished / step.failed /
// step.retrying and execution.finished, after which the stream ends. Streams
// end on client disconnect and on server close; none is left subscribed.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExecutionEvent } from '../../app/watch-execution.js';
import type { StepAttempt } from '../../domain/execution.js';
import { stringifyJson } from '../../domain/json.js';
import type { HttpDeps } from './http-deps.js';
import { iso, presentExecution, presentExecutionView } from './presenters.js';
import { idParam } from './request-schemas.js';
import { openSseStream } from './sse-stream.js';
import { problemResponses } from './wire-schemas.js';
import type { ZodTypeProvider } from './zod-route-schema.js';

const DESCRIPTION = [
  'A text/event-stream. The first event is `snapshot` (the execution with its committed steps, as GET /v1/executions/{id});',
  'then `step.started`, `step.finished`, `step.failed` (a failed attempt that will not be retried),',
  '`step.retrying` (a failed attempt that will be retried, with willRetryAt) and finally `execution.finished`,',
  'after which the server closes the stream (at once for an execution that already finished).',
  'A comment line is sent every 15 s to keep proxies from closing an idle stream.',
].join(' ');

function presentAttempt(executionId: string, a: StepAttempt) {
  return {
    executionId,
    stepId: a.stepId,
    path: a.path,
    attempt: a.attempt,
    status: a.status,
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
    output: a.output,
    error: a.error,
    ...(a.wakeAt !== undefined ? { wakeAt: iso(a.wakeAt) } : {}),
  };
}

/** The `data` of one event, in the API's wire shapes (ISO instants). */
export function presentExecutionEvent(e: ExecutionEvent): unknown {
  switch (e.type) {
    case 'snapshot':
      return presentExecutionView(e.execution);
    case 'step.started':
      return { executionId: e.executionId, stepId: e.stepId, path: e.path, attempt: e.attempt, startedAt: iso(e.at) };
    case 'step.finished':
    case 'step.failed':
      return presentAttempt(e.executionId, e.attempt);
    case 'step.retrying':
      return { ...presentAttempt(e.executionId, e.attempt), willRetryAt: iso(e.willRetryAt) };
    case 'execution.finished':
      return presentExecution(e.execution);
  }
}

export function registerExecutionEventsRoute(root: FastifyInstance, { tasker, logger }: HttpDeps, options: { heartbeatMs?: number } = {}): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const open = new Set<AbortController>();
  // Open streams would hold server.close() forever: end them first.
  root.addHook('preClose', async () => {
    for (const controller of open) controller.abort();
  });

  app.get('/v1/executions/:id/events', {
    schema: {
      summary: 'Follow an execution live (server-sent events)', description: DESCRIPTION, tags: ['executions'],
      params: z.object({ id: idParam }),
      response: {
        200: { description: 'The event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const controller = new AbortController();
    const events = tasker.watchExecution(request.params.id, controller.signal)[Symbol.asyncIterator]();
    // The first event (or EXECUTION_NOT_FOUND) before the reply is taken
    // over, so an unknown id is an ordinary 404 problem answer.
    let next: IteratorResult<ExecutionEvent>;
    try {
      next = await events.next();
    } catch (err) {
      controller.abort();
      throw err;
    }
    reply.hijack();
    const stream = openSseStream(reply.raw, options);
    const stop = () => controller.abort();
    stream.signal.addEventListener('abort', stop, { once: true });
    open.add(controller);
    try {
      while (!next.done) {
        stream.send(next.value.type, stringifyJson(presentExecutionEvent(next.value)));
        next = await events.next();
      }
    } catch (err) {
      logger.warn({ err, executionId: request.params.id }, 'execution event stream failed');
    } finally {
      open.delete(controller);
      stream.signal.removeEventListener('abort', stop);
      controller.abort();
      await events.return?.().catch(() => undefined);
      stream.end();
    }
  });
}
