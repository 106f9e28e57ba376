// `tasker validate <file>`: checks a definition file without storing or
// running it; prints "valid" or every problem as `path: message`.
// Exit 0 when valid, 1 when not.
import { EXIT_FAILURE, EXIT_OK } from './cli-errors.js';
import { readDefinitionFile } from './read-input-file.js';
import { withOfflineRuntime } from './offline-runtime.js';

export async function validateCommand(file: string, out: (line: string) => void): Promise<number> {
  const parsed = await readDefinitionFile(file);
  const problems = parsed.ok
    ? await withOfflineRuntime((runtime) => runtime.tasker.validateDefinition(parsed.value).problems)
    : parsed.problems;
  if (problems.length === 0) {
    out('valid');
    return EXIT_OK;
  }
  out(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) out(`  ${p.path || '/'}: ${p.message}`);
  return EXIT_FAILURE;
}
