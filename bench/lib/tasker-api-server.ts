// A real Tasker for a benchmark: the runtime built by the composition root
// (createRuntime(loadConfig(env))) and the real Fastify API listening on
// 127.0.0.1 (ephemeral port), reached with the global fetch as a client
// would. close() stops the server, then the runtime; safe to call twice.
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { createRuntime } from '../../src/main.js';
import { buildHttpServer } from '../../src/adapters/http-api/build-server.js';

export interface TaskerApi {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startTaskerApi(env: Record<string, string>): Promise<TaskerApi> {
  const config = loadConfig({ TASKER_LOG_LEVEL: 'silent', TASKER_SHUTDOWN_GRACE: '200ms', ...env });
  const runtime = await createRuntime(config);
  try {
    await runtime.start();
    const app = await buildHttpServer(runtime, { bodyLimitBytes: config.bodyLimitBytes });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
    } catch (err) {
      await app.close().catch(() => undefined);
      throw err;
    }
    const { port } = app.server.address() as AddressInfo;
    let closing: Promise<void> | undefined;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      close: () =>
        (closing ??= (async () => {
          try {
            await app.close();
          } finally {
            await runtime.close();
          }
        })()),
    };
  } catch (err) {
    await runtime.close().catch(() => undefined);
    throw err;
  }
}

/** Creates a task from its definition; throws with the API's answer when refused. */
export async function createTask(api: TaskerApi, definition: { name: string }): Promise<void> {
  const res = await fetch(`${api.baseUrl}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
  if (!res.ok) throw new Error(`creating task ${definition.name}: HTTP ${res.status} ${await res.text()}`);
}

/** Starts one execution with ?wait= and checks it finished as succeeded with the expected step count. */
export async function runAndWait(api: TaskerApi, taskName: string, expectedSteps: number): Promise<void> {
  const res = await fetch(`${api.baseUrl}/v1/tasks/${encodeURIComponent(taskName)}/executions?wait=30s`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"input":{}}',
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`execution of ${taskName}: HTTP ${res.status} ${text.slice(0, 500)}`);
  const view = JSON.parse(text) as { status?: string; steps?: unknown[] };
  if (view.status !== 'succeeded') throw new Error(`execution of ${taskName} ended ${String(view.status)}: ${text.slice(0, 500)}`);
  if (view.steps?.length !== expectedSteps) throw new Error(`execution of ${taskName} has ${view.steps?.length} steps, expected ${expectedSteps}`);
}
