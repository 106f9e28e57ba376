// How `tasker run` shows progress: one line per finished step attempt and a
// closing summary. Pure formatting of events and executions into text; it
// prints nothing itself.
import type { Execution, StepAttempt } from '../../domain/execution.js';
import { formatDuration } from '../../domain/duration.js';
import { stringifyJson, type JsonValue } from '../../domain/json.js';

const MARK: Record<StepAttempt['status'], string> = { succeeded: '✓', failed: '✗', skipped: '-', waiting: '…' };

export function preview(value: JsonValue, max = 100): string {
  const text = stringifyJson(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatStepLine(attempt: StepAttempt, willRetryAt: number | null): string {
  const took = formatDuration(Math.max(0, attempt.finishedAt - attempt.startedAt));
  const head = `${MARK[attempt.status]} ${attempt.path}  ${attempt.status}  (attempt ${attempt.attempt}, ${took})`;
  if (attempt.status === 'failed' || attempt.error) {
    const retry = willRetryAt !== null ? `; retrying at ${new Date(willRetryAt).toISOString()}` : '';
    return `${head}  ${attempt.error?.kind ?? 'error'}: ${attempt.error?.message ?? 'failed'}${retry}`;
  }
  if (attempt.status === 'waiting') {
    const until = attempt.wakeAt !== undefined ? `until ${new Date(attempt.wakeAt).toISOString()}` : '';
    return `${head}  ${until}`.trimEnd();
  }
  if (attempt.status === 'skipped') return head;
  return `${head}  ${preview(attempt.output)}`;
}

export function formatSummary(execution: Execution): string[] {
  const took = execution.startedAt !== null && execution.finishedAt !== null
    ? ` in ${formatDuration(execution.finishedAt - execution.startedAt)}` : '';
  const lines = [`execution ${execution.id} ${execution.status}${took}`];
  if (execution.error) {
    const where = execution.error.stepId ? ` (step ${execution.error.stepId})` : '';
    lines.push(`error: ${execution.error.kind}: ${execution.error.message}${where}`);
  }
  if (execution.status === 'succeeded' || execution.status === 'handled_failure') {
    lines.push('output:', stringifyJson(execution.output ?? null, 2));
  }
  return lines;
}
