// Workflow JSON for the n8n peer, in the shape n8n's own REST API takes
// (POST /rest/workflows): a Webhook trigger followed by a chain of NoOp nodes.
// The webhook answers with the last node's output (responseMode lastNode),
// that is once the execution has finished and been saved: the equivalent of
// Tasker's POST …/executions?wait=.
import { randomUUID } from 'node:crypto';

export interface N8nNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  webhookId?: string;
}

type N8nConnections = Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }>;

/** Per-workflow settings n8n honours over its environment defaults. */
export interface N8nWorkflowSettings {
  executionOrder: 'v1';
  /** Save the execution after every node (n8n's default is once, at the end). */
  saveExecutionProgress?: boolean;
}

export interface N8nWorkflow {
  name: string;
  /** n8n creates workflows inactive; activation is a separate call. */
  active: false;
  nodes: N8nNode[];
  connections: N8nConnections;
  settings: N8nWorkflowSettings;
}

export interface WebhookChainOptions {
  name: string;
  /** Served at POST /webhook/<path>. */
  path: string;
  /** NoOp nodes after the trigger. */
  noOps: number;
  saveExecutionProgress?: boolean;
}

/** Webhook (POST, answers with the last node's first item) → NoOp 1 → … → NoOp n. */
export function webhookNoOpChain(options: WebhookChainOptions): N8nWorkflow {
  const trigger: N8nNode = {
    id: randomUUID(),
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2.1,
    position: [0, 0],
    webhookId: randomUUID(),
    parameters: { httpMethod: 'POST', path: options.path, responseMode: 'lastNode', options: {} },
  };
  const noOps: N8nNode[] = Array.from({ length: options.noOps }, (_, i) => ({
    id: randomUUID(),
    name: `NoOp ${String(i + 1).padStart(2, '0')}`,
    type: 'n8n-nodes-base.noOp',
    typeVersion: 1,
    position: [200 * (i + 1), 0],
    parameters: {},
  }));
  const nodes = [trigger, ...noOps];
  const connections: N8nConnections = {};
  for (let i = 0; i + 1 < nodes.length; i++) {
    const from = nodes[i];
    const to = nodes[i + 1];
    if (from !== undefined && to !== undefined) connections[from.name] = { main: [[{ node: to.name, type: 'main', index: 0 }]] };
  }
  const settings: N8nWorkflowSettings = { executionOrder: 'v1' };
  if (options.saveExecutionProgress === true) settings.saveExecutionProgress = true;
  return { name: options.name, active: false, nodes, connections, settings };
}
