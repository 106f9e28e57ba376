// Request bodies: JSON parsed BigInt-safely (integers beyond 2^53 keep every
// digit), YAML (and plain text holding JSON or YAML) through the same reader
// the CLI uses for definition files. Malformed bodies are 400 BODY_MALFORMED;
// parsers never validate meaning, the routes' schemas and use cases do.
import type { FastifyInstance } from 'fastify';
import { parseJson } from '../../domain/json.js';
import { parseDefinitionText } from '../../domain/definition-text.js';
import { TaskerError } from '../../domain/errors.js';

export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseJson(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TaskerError('BODY_MALFORMED', `the body is not valid JSON: ${message}`, [{ path: '', message }]);
  }
}

function parseTextBody(text: string, hint: 'yaml' | undefined): unknown {
  if (text.trim() === '') return undefined;
  const parsed = parseDefinitionText(text, hint);
  if (parsed.ok) return parsed.value;
  const what = hint === 'yaml' ? 'YAML' : 'JSON or YAML';
  throw new TaskerError('BODY_MALFORMED', `the body is not valid ${what}`, parsed.problems);
}

/** Replaces Fastify's JSON parser and adds YAML and text parsers. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const json = (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    try {
      done(null, parseJsonBody(body.toString()));
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, json);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: 'string' }, json);
  const text = (hint: 'yaml' | undefined) =>
    (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
      try {
        done(null, parseTextBody(body.toString(), hint));
      } catch (err) {
        done(err as Error);
      }
    };
  app.addContentTypeParser(YAML_MEDIA_TYPES, { parseAs: 'string' }, text('yaml'));
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, text(undefined));
}
