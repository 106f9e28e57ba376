// Reads what the user points the CLI at: a task definition file (JSON or
// YAML, chosen by extension, else detected) or an --input value (inline JSON
// or @file). Parsing only; a file that cannot be read is a usage error.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDefinitionText } from '../../domain/definition-text.js';
import type { Problem } from '../../domain/errors.js';
import { parseJson, type JsonValue } from '../../domain/json.js';
import { CliUsageError } from './cli-errors.js';

export type ParsedFile = { ok: true; value: unknown } | { ok: false; problems: Problem[] };

const hintFor = (file: string): 'json' | 'yaml' | undefined => {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
};

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new CliUsageError(`cannot read ${file}: ${why}`, { cause: err });
  }
}

/** Reads and parses a JSON or YAML file; parse problems are returned, not thrown. */
export async function readDefinitionFile(file: string): Promise<ParsedFile> {
  const text = await readText(file);
  return parseDefinitionText(text, hintFor(file));
}

/** `--input '{"a":1}'` or `--input @input.json` (YAML files too). */
export async function readInputOption(option: string): Promise<JsonValue> {
  if (option.startsWith('@')) {
    const file = option.slice(1);
    const parsed = await readDefinitionFile(file);
    if (!parsed.ok) throw new CliUsageError(`--input ${file}: ${parsed.problems.map((p) => p.message).join('; ')}`);
    return parsed.value as JsonValue;
  }
  try {
    return parseJson(option);
  } catch (err) {
    throw new CliUsageError(`--input: expected JSON (or @file), ${(err as Error).message}`);
  }
}
