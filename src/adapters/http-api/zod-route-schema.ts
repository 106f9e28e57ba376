// Route schemas are written once, in zod: the same schema validates the
// request (reporting every problem with its JSON-pointer path) and, turned
// into JSON Schema, documents the route in /openapi.json. Responses are never
// serialised from these schemas (BigInt must pass through stringifyJson).
import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { TaskerError, type Problem } from '../../domain/errors.js';

/** Types request parts from their zod schemas; replies stay unchecked (presenters shape them). */
export interface ZodTypeProvider extends FastifyTypeProvider {
  readonly validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  readonly serializer: unknown;
}

const isZod = (value: unknown): value is z.ZodType => value instanceof z.ZodType;

export const pointer = (segments: readonly PropertyKey[]): string =>
  segments.map((s) => '/' + String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('');

/** Where a request part's problems point: the body itself, or `/query/...`, `/params/...`, `/headers/...`. */
const PART_PREFIX: Record<string, string[]> = { body: [], querystring: ['query'], params: ['params'], headers: ['headers'] };

export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly string[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: pointer([...path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) {
      problems.push({ path: pointer(path), message: 'is required' });
    } else {
      problems.push({ path: pointer(path), message: issue.message });
    }
  }
  return problems;
}

const PART_NAME: Record<string, string> = { body: 'body', querystring: 'query string', params: 'path', headers: 'headers' };

/** Fastify validator compiler: every route schema part is a zod schema. */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart, method, url }) => {
  if (!isZod(schema)) throw new Error(`${method} ${url}: the ${httpPart ?? 'request'} schema must be a zod schema`);
  const part = httpPart ?? 'body';
  return (data: unknown) => {
    // Fastify hands a missing body over as null; schemas say "optional" for that.
    const result = schema.safeParse(part === 'body' && data === null ? undefined : data, { reportInput: true });
    if (result.success) return { value: result.data };
    const problems = issuesToProblems(result.error.issues, PART_PREFIX[part] ?? [part]);
    const detail = `the request ${PART_NAME[part] ?? part} has ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    return { error: new TaskerError('REQUEST_INVALID', detail, problems) };
  };
};

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

type SchemaRecord = Record<string, unknown>;

function convertResponse(value: unknown): unknown {
  if (isZod(value)) return toJsonSchema(value, 'output');
  if (value && typeof value === 'object' && 'content' in value) {
    const { content, ...rest } = value as { content: Record<string, { schema: unknown }> };
    const converted: Record<string, { schema: unknown }> = {};
    for (const [media, entry] of Object.entries(content)) {
      converted[media] = { ...entry, schema: isZod(entry.schema) ? toJsonSchema(entry.schema, 'output') : entry.schema };
    }
    return { ...rest, content: converted };
  }
  return value;
}

/** @fastify/swagger `transform`: zod route schemas to OpenAPI 3.0 JSON Schema. */
export function zodSwaggerTransform({ schema, url }: { schema: unknown; url: string }): { schema: SchemaRecord; url: string } {
  const source = (schema ?? {}) as SchemaRecord;
  const out: SchemaRecord = { ...source };
  for (const part of ['body', 'querystring', 'params', 'headers']) {
    const value = source[part];
    if (isZod(value)) out[part] = toJsonSchema(value, 'input');
  }
  if (source.response && typeof source.response === 'object') {
    const response: SchemaRecord = {};
    for (const [status, value] of Object.entries(source.response)) response[status] = convertResponse(value);
    out.response = response;
  }
  return { schema: out, url };
}
