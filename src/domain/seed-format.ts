// Reads the seed's wire format ({ name, steps: [{ id: 1, type: "api_call",
// params, failure_step }] }) into the modern shape before validation:
// numeric ids become s1, s2, ...; failure_step becomes a one-step onError
// list; `last_step_result` in templates reads `prev`. It only reshapes; all
// checking is left to validation, whose problem paths are mapped back here.

export interface SeedConversion {
  value: Record<string, unknown>;
  /** Maps a JSON pointer in the converted value to the user's original document. */
  originalPath(pointer: string): string;
}

const NUMERIC_ID = /^\d+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumericId(id: unknown): id is number | string {
  return (typeof id === 'number' && Number.isInteger(id) && id >= 0) || (typeof id === 'string' && NUMERIC_ID.test(id));
}

/** True when a definition uses the seed's format: numeric step ids or failure_step. */
export function isSeedFormat(raw: unknown): boolean {
  if (!isRecord(raw) || !Array.isArray(raw['steps'])) return false;
  return raw['steps'].some((step) => isRecord(step) && (isNumericId(step['id']) || 'failure_step' in step));
}

export function fromSeedFormat(raw: Record<string, unknown>): SeedConversion {
  const rawSteps = Array.isArray(raw['steps']) ? raw['steps'] : [];
  const used = new Set<string>();
  for (const step of rawSteps) {
    if (!isRecord(step)) continue;
    const id = step['id'];
    if (isNumericId(id)) used.add(`s${id}`);
    else if (typeof id === 'string') used.add(id);
  }
  const renames = new Map<string, string>();
  const convertStep = (step: unknown, pointer: string, fallbackOf?: string): unknown => {
    if (!isRecord(step)) return step;
    const out: Record<string, unknown> = { ...step };
    out['id'] = fallbackOf === undefined ? mainId(step['id']) : fallbackId(step['id'], fallbackOf, used);
    if (out['params'] === null) out['params'] = {};
    if (out['params'] !== undefined) out['params'] = rewriteTemplates(out['params']);
    if ('failure_step' in step) {
      const failure = step['failure_step'];
      delete out['failure_step'];
      if (failure !== null && failure !== undefined && out['onError'] === undefined) {
        renames.set(`${pointer}/onError`, `${pointer}/failure_step`);
        renames.set(`${pointer}/onError/0`, `${pointer}/failure_step`);
        const owner = typeof out['id'] === 'string' ? out['id'] : 'step';
        out['onError'] = [convertStep(failure, `${pointer}/onError/0`, owner)];
      }
    }
    return out;
  };
  const value: Record<string, unknown> = { ...raw };
  if (Array.isArray(raw['steps'])) value['steps'] = raw['steps'].map((step, i) => convertStep(step, `/steps/${i}`));
  return { value, originalPath: (pointer) => mapBack(pointer, renames) };
}

function mainId(id: unknown): unknown {
  return isNumericId(id) ? `s${id}` : id;
}

/** A fallback keeps a usable id of its own, else takes `<owner>_fallback`; never a used one. */
function fallbackId(id: unknown, owner: string, used: Set<string>): unknown {
  if (typeof id === 'string' && !NUMERIC_ID.test(id)) return id;
  let candidate = isNumericId(id) ? `s${id}` : `${owner}_fallback`;
  if (used.has(candidate)) candidate = `${owner}_fallback`;
  for (let n = 2; used.has(candidate); n++) candidate = `${owner}_fallback_${n}`;
  used.add(candidate);
  return candidate;
}

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;
const LAST_STEP_RESULT = /(^|[^\w$.])\.?last_step_result\b/g;

/** The seed called the previous step's output `last_step_result`; it is `prev` now. */
function rewriteTemplates(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(TEMPLATE, (_m, body: string) => `{{${body.replace(LAST_STEP_RESULT, '$1prev')}}}`);
  }
  if (Array.isArray(value)) return value.map(rewriteTemplates);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteTemplates(v)]));
  return value;
}

function mapBack(pointer: string, renames: Map<string, string>): string {
  let best = '';
  for (const from of renames.keys()) {
    if ((pointer === from || pointer.startsWith(`${from}/`)) && from.length > best.length) best = from;
  }
  return best === '' ? pointer : `${renames.get(best) as string}${pointer.slice(best.length)}`;
}
