// Finds which step outputs a JSONata expression reads (`steps.<id>...`), by
// walking its syntax tree, so validation can reject references to steps that
// do not exist or run later. It only reads the tree: it never evaluates, and
// it ignores `steps` inside predicates and per-item contexts (those name a
// field of the item, not the execution's steps).

type AstNode = { [key: string]: unknown };

const STEPS = 'steps';
/** Properties evaluated against something other than the input of their node. */
const PER_ITEM_KEYS = new Set(['stages', 'predicate', 'group', 'terms', 'pattern', 'update', 'delete']);
const MAX_WALK_DEPTH = 500;

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(node: unknown, type: 'name' | 'variable'): string | undefined {
  return isNode(node) && node['type'] === type && typeof node['value'] === 'string' ? node['value'] : undefined;
}

/** The step ids an expression's syntax tree reads, in order of first appearance. */
export function stepReferences(ast: unknown): string[] {
  const found = new Set<string>();
  walk(ast, true, found, 0);
  return [...found];
}

function walk(value: unknown, atRoot: boolean, found: Set<string>, depth: number): void {
  if (depth > MAX_WALK_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, atRoot, found, depth + 1);
    return;
  }
  if (!isNode(value)) return;
  if (value['type'] === 'path' && Array.isArray(value['steps'])) {
    const steps: unknown[] = value['steps'];
    const id = referencedId(steps, atRoot);
    if (id !== undefined) found.add(id);
    steps.forEach((step, index) => walk(step, index === 0 ? atRoot : false, found, depth + 1));
    for (const key of Object.keys(value)) {
      if (key !== 'steps') walk(value[key], false, found, depth + 1);
    }
    return;
  }
  for (const key of Object.keys(value)) {
    walk(value[key], PER_ITEM_KEYS.has(key) ? false : atRoot, found, depth + 1);
  }
}

/**
 * `steps.x` read at the root, `$.steps.x` at the root, or `$$.steps.x`
 * anywhere (`$$` is always the root input).
 */
function referencedId(steps: unknown[], atRoot: boolean): string | undefined {
  const first = steps[0];
  if (atRoot && nameOf(first, 'name') === STEPS) return nameOf(steps[1], 'name');
  const variable = nameOf(first, 'variable');
  if ((variable === '$' || (variable === '' && atRoot)) && nameOf(steps[1], 'name') === STEPS) {
    return nameOf(steps[2], 'name');
  }
  return undefined;
}
