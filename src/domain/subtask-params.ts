// Static checks of the `task` step's params (run another task): which task,
// with what input, and whether to wait for it. The engine runs it; there is
// no runner, so its checks live here beside the delay step's.
import type { ParamProblem } from './step-catalog.js';
import { hasTemplate } from './template.js';

const KNOWN = ['task', 'input', 'wait'];

export function checkTaskParams(params: Record<string, unknown>): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const task = params['task'];
  if (typeof task !== 'string' || task.trim() === '') {
    problems.push({ path: '/task', message: 'is required: the id or name of the task to run' });
  }
  const wait = params['wait'];
  if (wait !== undefined && typeof wait !== 'boolean' && !(typeof wait === 'string' && hasTemplate(wait))) {
    problems.push({ path: '/wait', message: `expected true or false, got ${JSON.stringify(wait)}` });
  }
  for (const key of Object.keys(params)) {
    if (!KNOWN.includes(key)) problems.push({ path: `/${key}`, message: `unknown param "${key}": expected one of "task", "input", "wait"` });
  }
  return problems;
}
