// The journal's one write per finished attempt, built and compiled once per
// store: only its parameters change from attempt to attempt, so no query
// builder runs on the per-step path. The SQL is Kysely's own (quoting and
// placeholders of the dialect); each parameter's place is found by compiling
// with a marker value per field, and construction fails loudly if any marker
// does not come back exactly once.
import { CompiledQuery, type Kysely } from 'kysely';
import type { StepAttempt } from '../../domain/execution.js';
import type { DatabaseSchema } from './database-schema.js';
import type { DialectCapabilities } from './dialect-capabilities.js';
import { writeNullableJson } from './row-values.js';

const FIELDS = ['executionId', 'owner', 'path', 'stepId', 'attempt', 'status', 'output', 'error', 'startedAt', 'finishedAt', 'wakeAt'] as const;
type Field = (typeof FIELDS)[number];
type Values = Record<Field, string | number | null>;

const marker = (field: Field): string => `\u0000journal-append:${field}`;

/**
 * INSERT INTO step_attempts (…) SELECT <values> FROM executions WHERE id = ? AND
 * lease_owner = ? [FOR UPDATE]: the row exists only while `owner` holds the
 * lease, so one statement both checks the fence and writes (see appendAttempt).
 */
function build(db: Kysely<DatabaseSchema>, caps: DialectCapabilities, v: (field: Field) => string) {
  const source = db.selectFrom('executions')
    .select((eb) => [
      'executions.id',
      eb.val(v('path')).as('path'),
      eb.val(v('stepId')).as('step_id'),
      eb.val(v('attempt')).as('attempt'),
      eb.val(v('status')).as('status'),
      eb.val(v('output')).as('output'),
      eb.val(v('error')).as('error'),
      eb.val(v('startedAt')).as('started_at'),
      eb.val(v('finishedAt')).as('finished_at'),
      eb.val(v('wakeAt')).as('wake_at'),
    ])
    .where('executions.id', '=', v('executionId')).where('executions.lease_owner', '=', v('owner'));
  return db.insertInto('step_attempts')
    .columns(['execution_id', 'path', 'step_id', 'attempt', 'status', 'output', 'error', 'started_at', 'finished_at', 'wake_at'])
    .expression(caps.lockingReads ? source.forUpdate() : source);
}

export type JournalAppendQuery = (executionId: string, owner: string, attempt: StepAttempt) => CompiledQuery;

export function compileJournalAppend(db: Kysely<DatabaseSchema>, caps: DialectCapabilities): JournalAppendQuery {
  const template = build(db, caps, marker).compile();
  const order = template.parameters.map((p) => FIELDS.find((f) => marker(f) === p));
  const missing = FIELDS.filter((f) => order.filter((o) => o === f).length !== 1);
  if (order.includes(undefined) || missing.length > 0) {
    throw new Error(`journal append query: parameters do not map one to one to fields (${missing.join(', ') || 'an unknown parameter'})`);
  }
  const fields = order as Field[];
  return (executionId, owner, attempt) => {
    const values: Values = {
      executionId,
      owner,
      path: attempt.path,
      stepId: attempt.stepId,
      attempt: attempt.attempt,
      status: attempt.status,
      output: writeNullableJson(attempt.output),
      error: writeNullableJson(attempt.error),
      startedAt: attempt.startedAt,
      finishedAt: attempt.finishedAt,
      wakeAt: attempt.wakeAt ?? null,
    };
    return CompiledQuery.raw(template.sql, fields.map((f) => values[f]));
  };
}
