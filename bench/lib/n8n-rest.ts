// Setting up a fresh n8n without its UI, through the internal REST API the
// editor itself uses: create the owner (which logs in: the answer sets the
// n8n-auth cookie), then create and activate workflows with that cookie.
// Faster than `n8n import:workflow` + `update:workflow`, which each boot a
// whole n8n CLI before the server's own start.
import type { N8nWorkflow } from './n8n-workflows.js';

const AUTH_COOKIE = 'n8n-auth';

export interface N8nSession {
  url: string;
  /** `n8n-auth=…`, sent as the Cookie header. */
  cookie: string;
}

async function call<T>(method: 'GET' | 'POST', url: string, cookie: string | undefined, body?: unknown): Promise<{ data: T; res: Response }> {
  const headers: Record<string, string> = {};
  if (cookie !== undefined) headers.cookie = cookie;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 1000)}`);
  return { data: (JSON.parse(text) as { data: T }).data, res };
}

/** Creates the instance owner and returns the logged-in session. */
export async function setupOwner(url: string): Promise<N8nSession> {
  const { res } = await call<unknown>('POST', `${url}/rest/owner/setup`, undefined, {
    email: 'bench@example.com',
    firstName: 'Bench',
    lastName: 'Owner',
    password: 'Bench-owner-1',
  });
  const auth = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith(`${AUTH_COOKIE}=`));
  if (auth === undefined) throw new Error('POST /rest/owner/setup set no n8n-auth cookie');
  return { url, cookie: auth };
}

/** Creates the workflow, activates it (which registers its webhook) and returns its id. */
export async function createActiveWorkflow(session: N8nSession, workflow: N8nWorkflow): Promise<string> {
  const { data: created } = await call<{ id: string; versionId: string }>('POST', `${session.url}/rest/workflows`, session.cookie, workflow);
  const { data: activated } = await call<{ active: boolean }>('POST', `${session.url}/rest/workflows/${created.id}/activate`, session.cookie, { versionId: created.versionId });
  if (!activated.active) throw new Error(`workflow ${workflow.name} did not become active`);
  return created.id;
}

/** How many executions of the workflow n8n has saved (its executions list, as the UI shows it). */
export async function savedExecutions(session: N8nSession, workflowId: string): Promise<number> {
  const filter = encodeURIComponent(JSON.stringify({ workflowId }));
  const { data } = await call<{ count: number }>('GET', `${session.url}/rest/executions?filter=${filter}&limit=1`, session.cookie);
  return data.count;
}
