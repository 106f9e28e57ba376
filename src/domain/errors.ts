// The registry of coded errors the service can answer with. Every code has a
// status and a title; docs/errors.md lists them and a test keeps both in step.
// Use cases throw TaskerError; the HTTP adapter renders it in one place.

export interface Problem {
  path: string;
  message: string;
}

export const ERROR_CODES = {
  DEFINITION_INVALID: { status: 422, title: 'The task definition is invalid' },
  REQUEST_INVALID: { status: 400, title: 'The request is invalid' },
  BODY_MALFORMED: { status: 400, title: 'The request body is not valid JSON or YAML' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  MEDIA_TYPE_UNSUPPORTED: { status: 415, title: 'The request content type is not supported' },
  INPUT_INVALID: { status: 422, title: 'The execution input does not match the task input schema' },
  TASK_NOT_FOUND: { status: 404, title: 'Task not found' },
  TASK_NAME_TAKEN: { status: 409, title: 'A task with this name already exists' },
  TASK_VERSION_NOT_FOUND: { status: 404, title: 'Task version not found' },
  EXECUTION_NOT_FOUND: { status: 404, title: 'Execution not found' },
  EXECUTION_FINISHED: { status: 409, title: 'The execution has already finished' },
  EXECUTION_NOT_FINISHED: { status: 409, title: 'The execution has not finished yet' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'The idempotency key was used with a different request' },
  SCHEDULE_NOT_FOUND: { status: 404, title: 'Schedule not found' },
  SCHEDULE_INVALID: { status: 422, title: 'The schedule is invalid' },
  BACKFILL_INVALID: { status: 422, title: 'The backfill range is invalid' },
  CRON_INVALID: { status: 422, title: 'The cron expression is invalid' },
  STORAGE_KEY_NOT_FOUND: { status: 404, title: 'Storage key not found' },
  NOT_FOUND: { status: 404, title: 'Route not found' },
  UNAUTHORIZED: { status: 401, title: 'Missing or wrong API token' },
  UNAVAILABLE: { status: 503, title: 'A backing service is unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TaskerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly problems: Problem[];

  constructor(code: ErrorCode, detail?: string, problems: Problem[] = [], options?: { cause?: unknown }) {
    super(detail ?? ERROR_CODES[code].title, options);
    this.name = 'TaskerError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.problems = problems;
  }
}

/** "the definition has 1 problem" / "... 3 problems". */
export function problemCount(subject: string, count: number): string {
  return `${subject} has ${count} problem${count === 1 ? '' : 's'}`;
}
