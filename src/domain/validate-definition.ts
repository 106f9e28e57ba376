// Turns a raw task definition (parsed JSON/YAML, modern or seed format) into
// a normalised TaskDefinition, or lists every problem at once with its JSON
// pointer. Zod checks the shape of each node; this module walks the tree in
// execution order for what needs the whole task: unique ids, step types,
// templates and which steps a template may read. It never evaluates anything.
import { ENGINE_STEP_TYPES, STEP_TYPE_ALIASES, isControlStep, type OnError, type StepDefinition, type TaskDefinition } from './definition.js';
import { MAX_BRANCHES, MAX_CONCURRENCY, MAX_CONTROL_NESTING, MAX_FALLBACK_NESTING, MAX_STEPS } from './definition-limits.js';
import { checkTaskParams } from './subtask-params.js';
import { describeValue, issueMessage, issuesToProblems, stepSchema, STEP_KEYS, taskSchema, TASK_KEYS } from './definition-schema.js';
import { checkDelayParams } from './delay-params.js';
import type { Problem } from './errors.js';
import { compileTemplates, templateProblems, templateReferences } from './expressions.js';
import { checkSchema } from './input-schema.js';
import type { JsonValue } from './json.js';
import { fromSeedFormat, isSeedFormat } from './seed-format.js';
import { catalogTypes, type ParamCheck, type StepCatalog } from './step-catalog.js';
import { hasTemplate } from './template.js';

export type { StepCatalog } from './step-catalog.js';

export type ValidationResult = { ok: true; definition: TaskDefinition } | { ok: false; problems: Problem[] };

/** Keys that mark an object as a JSON Schema (the light check; Ajv does the rest). */
const SCHEMA_KEYS = ['type', 'properties', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'items', 'required'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validateDefinition(raw: unknown, catalog: StepCatalog): ValidationResult {
  if (!isRecord(raw)) {
    return { ok: false, problems: [{ path: '', message: `expected a task definition (an object with name and steps), got ${describeValue(raw)}` }] };
  }
  const seed = isSeedFormat(raw) ? fromSeedFormat(raw) : undefined;
  const toOriginal = seed ? seed.originalPath : (p: string) => p;
  const validator = new DefinitionValidator(catalog, toOriginal);
  const definition = validator.task(seed ? seed.value : raw);
  const seen = new Set<string>();
  const problems = validator.problems
    .map((p) => ({ path: toOriginal(p.path), message: p.message }))
    .filter((p) => !seen.has(`${p.path}\n${p.message}`) && seen.add(`${p.path}\n${p.message}`));
  if (problems.length > 0 || !definition) return { ok: false, problems };
  return { ok: true, definition };
}

/** `if` may be written bare (`input.n > 1`) or as a template; it is stored as a template. */
export function normaliseCondition(value: string | boolean): string {
  if (typeof value === 'boolean') return `{{ ${value} }}`;
  return hasTemplate(value) ? value : `{{ ${value} }}`;
}

class DefinitionValidator {
  readonly problems: Problem[] = [];
  private readonly types: Set<string>;
  private readonly checks: Readonly<Record<string, ParamCheck>>;
  private readonly firstUse = new Map<string, string>();
  private allIds = new Set<string>();
  private stepCount = 0;

  constructor(catalog: StepCatalog, private readonly toOriginal: (pointer: string) => string) {
    this.types = catalogTypes(catalog);
    for (const t of ENGINE_STEP_TYPES) this.types.add(t);
    this.checks = { ...catalog.checkParams, delay: checkDelayParams, task: checkTaskParams };
  }

  task(doc: Record<string, unknown>): TaskDefinition | undefined {
    const top = taskSchema.safeParse(doc, { error: issueMessage });
    if (!top.success) this.problems.push(...issuesToProblems(top.error.issues, '', TASK_KEYS));
    this.allIds = new Set([...rawIds(doc['steps'], true), ...rawIds(doc['onFailure'], true)]);

    if (isRecord(doc['input'])) this.checkInputSchema(doc['input']);
    const visible = new Set<string>();
    const steps = Array.isArray(doc['steps']) ? this.list(doc['steps'], '/steps', visible, 0) : [];
    if (doc['output'] !== undefined) this.checkTemplatesAt(doc['output'] as JsonValue, '/output', visible, undefined);
    const onFailure = Array.isArray(doc['onFailure']) ? this.list(doc['onFailure'], '/onFailure', new Set(visible), 0) : undefined;

    if (!top.success || this.problems.length > 0) return undefined;
    const t = top.data;
    const definition: TaskDefinition = {
      name: t.name,
      ...(t.description !== undefined && { description: t.description }),
      ...(t.input !== undefined && { input: t.input as Record<string, JsonValue> }),
      steps,
    };
    if (onFailure !== undefined) definition.onFailure = onFailure;
    if (t.output !== undefined) definition.output = t.output as JsonValue;
    if (t.timeout !== undefined && t.timeoutMs !== undefined) this.problems.push({ path: '/timeoutMs', message: 'give either timeout or timeoutMs, not both' });
    const timeoutMs = t.timeout ?? t.timeoutMs;
    if (timeoutMs !== undefined) definition.timeoutMs = timeoutMs;
    return this.problems.length > 0 ? undefined : definition;
  }

  private checkInputSchema(schema: Record<string, unknown>): void {
    if (!SCHEMA_KEYS.some((k) => k in schema)) {
      this.problems.push({ path: '/input', message: 'expected a JSON Schema (an object with "type" or "properties"), got an object with neither' });
      return;
    }
    const error = checkSchema(schema as Record<string, JsonValue>);
    if (error !== null) this.problems.push({ path: '/input', message: `is not a valid JSON Schema: ${error}` });
  }

  /** Validates a list in order; each step sees the steps before it (and their fallbacks). */
  private list(raws: unknown[], pointer: string, visible: Set<string>, nesting: number, control = 0): StepDefinition[] {
    const out: StepDefinition[] = [];
    raws.forEach((raw, i) => {
      const step = this.step(raw, `${pointer}/${i}`, visible, nesting, control);
      if (step) out.push(step);
      for (const id of rawIds([raw])) visible.add(id);
    });
    return out;
  }

  private step(raw: unknown, at: string, visible: Set<string>, nesting: number, control: number): StepDefinition | undefined {
    if (!isRecord(raw)) {
      this.problems.push({ path: at, message: `expected a step (an object with id, type and params), got ${describeValue(raw)}` });
      return undefined;
    }
    if (++this.stepCount === MAX_STEPS + 1) {
      this.problems.push({ path: at, message: `a task may have at most ${MAX_STEPS} steps, counting fallbacks and onFailure steps` });
    }
    const parsed = stepSchema.safeParse(raw, { error: issueMessage });
    if (!parsed.success) this.problems.push(...issuesToProblems(parsed.error.issues, at, STEP_KEYS));

    const id = typeof raw['id'] === 'string' ? raw['id'] : undefined;
    if (id !== undefined) {
      const first = this.firstUse.get(id);
      if (first !== undefined) this.problems.push({ path: `${at}/id`, message: `duplicate step id "${id}": the step at ${this.toOriginal(first)} already uses it` });
      else this.firstUse.set(id, at);
    }

    const type = typeof raw['type'] === 'string' ? (STEP_TYPE_ALIASES[raw['type']] ?? raw['type']) : undefined;
    if (type !== undefined && type !== '' && !this.types.has(type)) {
      const known = [...this.types].sort().map((t) => `"${t}"`).join(', ');
      this.problems.push({ path: `${at}/type`, message: `unknown step type "${type}": expected one of ${known}` });
    }

    let params = raw['params'] === undefined ? {} : isRecord(raw['params']) ? raw['params'] : undefined;
    let flow: ControlFields | undefined;
    if (params && type !== undefined) {
      const lifted = liftControlFields(raw, params, at, type);
      params = lifted.params;
      flow = this.controlFlow(lifted.fields, type, at, visible, id, nesting, control);
      if (type === 'task') {
        if (raw['retry'] !== undefined) this.problems.push({ path: `${at}/retry`, message: 'retry is not supported on task steps: a re-run finds the same child execution; put retry on the steps of the child task' });
        if (raw['timeout'] !== undefined || raw['timeoutMs'] !== undefined) {
          this.problems.push({ path: `${at}/${raw['timeout'] !== undefined ? 'timeout' : 'timeoutMs'}`, message: "timeout is not supported on task steps: give the child task a timeout of its own" });
        }
      }
      if (isControlStep(type)) {
        if (raw['retry'] !== undefined) this.problems.push({ path: `${at}/retry`, message: `retry is not supported on ${type} steps: put it on the steps inside` });
        if (raw['timeout'] !== undefined || raw['timeoutMs'] !== undefined) {
          this.problems.push({ path: `${at}/${raw['timeout'] !== undefined ? 'timeout' : 'timeoutMs'}`, message: `timeout is not supported on ${type} steps: put it on the steps inside, or give the task a timeout` });
        }
      }
    }
    if (params) {
      this.checkTemplatesAt(params as JsonValue, `${at}/params`, visible, id);
      const check = type !== undefined ? this.checks[type] : undefined;
      if (check) for (const p of check(params)) this.problems.push({ path: `${at}/params${p.path}`, message: p.message });
    }

    let condition: string | undefined;
    const rawIf = raw['if'];
    if (typeof rawIf === 'string' && rawIf.trim() === '') {
      this.problems.push({ path: `${at}/if`, message: 'must not be empty: write an expression like input.enabled or leave "if" out' });
    } else if (typeof rawIf === 'string' || typeof rawIf === 'boolean') {
      condition = normaliseCondition(rawIf);
      this.checkTemplatesAt(condition, `${at}/if`, visible, id);
    }

    if (raw['timeout'] !== undefined && raw['timeoutMs'] !== undefined) {
      this.problems.push({ path: `${at}/timeoutMs`, message: 'give either timeout or timeoutMs, not both' });
    }

    const onError = this.onError(raw['onError'], `${at}/onError`, visible, id, nesting, control);
    if (!parsed.success || !params || type === undefined || id === undefined || onError === undefined) return undefined;

    const s = parsed.data;
    const step: StepDefinition = { id, type, params: params as Record<string, JsonValue>, onError, ...flow };
    if (s.description !== undefined) step.description = s.description;
    if (condition !== undefined) step.if = condition;
    const timeoutMs = s.timeout ?? s.timeoutMs;
    if (timeoutMs !== undefined) step.timeoutMs = timeoutMs;
    if (s.retry !== undefined) step.retry = s.retry;
    return step;
  }

  private onError(value: unknown, at: string, visible: Set<string>, ownerId: string | undefined, nesting: number, control: number): OnError | undefined {
    if (value === undefined) return 'fail';
    if (value === 'fail' || value === 'continue') return value;
    if (!Array.isArray(value)) {
      this.problems.push({ path: at, message: `expected "fail", "continue" or a list of fallback steps, got ${describeValue(value)}` });
      return undefined;
    }
    if (value.length === 0) {
      this.problems.push({ path: at, message: 'a fallback list needs at least one step (or write "fail" or "continue")' });
      return undefined;
    }
    if (nesting >= MAX_FALLBACK_NESTING) {
      this.problems.push({ path: at, message: `fallback lists may be nested at most ${MAX_FALLBACK_NESTING} deep` });
      return undefined;
    }
    // A fallback sees what its failing step saw, plus the failing step itself.
    const fallbackVisible = new Set(visible);
    if (ownerId !== undefined) fallbackVisible.add(ownerId);
    return this.list(value, at, fallbackVisible, nesting + 1, control);
  }

  /** Checks a control step's nested lists (each sees the steps visible at the control step). */
  private controlFlow(
    fields: LiftedFields,
    type: string,
    at: string,
    visible: Set<string>,
    ownId: string | undefined,
    nesting: number,
    control: number,
  ): ControlFields | undefined {
    const present = Object.keys(fields.values);
    const allowed = CONTROL_FIELDS[type] ?? [];
    for (const key of present) {
      if (!allowed.includes(key)) {
        const owners = Object.entries(CONTROL_FIELDS).filter(([, keys]) => keys.includes(key)).map(([t]) => t).join(' or ');
        this.problems.push({ path: fields.pointer(key), message: `"${key}" belongs to ${owners} steps, not ${type}` });
      }
    }
    if (!isControlStep(type)) return undefined;
    if (control >= MAX_CONTROL_NESTING) {
      this.problems.push({ path: at, message: `control-flow steps (foreach, parallel, switch) may be nested at most ${MAX_CONTROL_NESTING} deep` });
      return undefined;
    }
    const nestedList = (value: unknown, key: string, label: string): StepDefinition[] | undefined => {
      const pointer = fields.pointer(key);
      if (!Array.isArray(value) || value.length === 0) {
        this.problems.push({ path: pointer, message: `expected a non-empty list of steps for ${label}, got ${describeValue(value)}` });
        return undefined;
      }
      return this.list(value, pointer, new Set(visible), nesting, control + 1);
    };
    const v = fields.values;
    if (type === 'foreach') {
      if (v['items'] === undefined) this.problems.push({ path: `${at}/items`, message: 'is required: the list to iterate, e.g. "{{ steps.fetch.output.body }}"' });
      else if (typeof v['items'] !== 'string' && !Array.isArray(v['items'])) {
        this.problems.push({ path: fields.pointer('items'), message: `expected a template or a list, got ${describeValue(v['items'])}` });
      } else this.checkTemplatesAt(v['items'] as JsonValue, fields.pointer('items'), visible, ownId);
      const concurrency = v['concurrency'];
      const concurrencyOk = concurrency === undefined || (Number.isInteger(concurrency) && (concurrency as number) >= 1 && (concurrency as number) <= MAX_CONCURRENCY);
      if (!concurrencyOk) {
        this.problems.push({ path: fields.pointer('concurrency'), message: `expected a whole number from 1 to ${MAX_CONCURRENCY}, got ${describeValue(concurrency)}` });
      }
      const steps = nestedList(v['steps'], 'steps', 'each item');
      if (!steps || !concurrencyOk) return undefined;
      return { items: v['items'] as JsonValue, steps, ...(typeof concurrency === 'number' ? { concurrency } : {}) };
    }
    if (type === 'parallel') {
      const branches = v['branches'];
      if (!Array.isArray(branches) || branches.length === 0) {
        this.problems.push({ path: fields.pointer('branches'), message: `expected a non-empty list of branches (each a list of steps), got ${describeValue(branches)}` });
        return undefined;
      }
      if (branches.length > MAX_BRANCHES) this.problems.push({ path: fields.pointer('branches'), message: `a parallel step may have at most ${MAX_BRANCHES} branches, got ${branches.length}` });
      const lists = branches.map((b, i) => nestedList(b, `branches/${i}`, `branch ${i}`));
      return lists.every((l) => l !== undefined) ? { branches: lists as StepDefinition[][] } : undefined;
    }
    // switch
    const cases = v['cases'];
    if (!Array.isArray(cases) || cases.length === 0) {
      this.problems.push({ path: fields.pointer('cases'), message: `expected a non-empty list of cases ({ when, steps }), got ${describeValue(cases)}` });
      return undefined;
    }
    const out: { when: string; steps: StepDefinition[] }[] = [];
    let ok = true;
    cases.forEach((c, i) => {
      const pointer = fields.pointer(`cases/${i}`);
      if (!isRecord(c) || (typeof c['when'] !== 'string' && typeof c['when'] !== 'boolean')) {
        this.problems.push({ path: `${pointer}/when`, message: `expected a condition like "{{ steps.check.output.status == 200 }}", got ${describeValue(isRecord(c) ? c['when'] : c)}` });
        ok = false;
        return;
      }
      for (const key of Object.keys(c)) if (key !== 'when' && key !== 'steps') this.problems.push({ path: `${pointer}/${key}`, message: `unknown field "${key}": a case has "when" and "steps"` });
      const when = normaliseCondition(c['when']);
      this.checkTemplatesAt(when, `${pointer}/when`, visible, ownId);
      const steps = nestedList(c['steps'], `cases/${i}/steps`, `case ${i}`);
      if (!steps) ok = false;
      else out.push({ when, steps });
    });
    const dflt = v['default'] === undefined ? undefined : nestedList(v['default'], 'default', 'the default case');
    if (!ok || (v['default'] !== undefined && !dflt)) return undefined;
    return { cases: out, ...(dflt ? { default: dflt } : {}) };
  }

  private checkTemplatesAt(value: JsonValue, at: string, visible: ReadonlySet<string>, ownId: string | undefined): void {
    const compiled = compileTemplates(value, at);
    this.problems.push(...templateProblems(compiled));
    for (const { path, stepId } of templateReferences(compiled)) {
      if (visible.has(stepId)) continue;
      let message: string;
      if (stepId === ownId) message = `references its own step "${stepId}", whose output does not exist yet`;
      else if (this.firstUse.has(stepId)) {
        message = `references step "${stepId}", which is inside a control-flow step (foreach, parallel, switch) or another branch: read that control step's output instead, e.g. steps.<loop>.output`;
      } else if (this.allIds.has(stepId)) message = `references step "${stepId}", which runs later`;
      else message = `references step "${stepId}", which does not exist${suggest(stepId, this.allIds)}`;
      this.problems.push({ path, message });
    }
  }
}

/**
 * Ids of the steps in a raw list and their fallbacks, tolerating bad shapes.
 * With `deep`, also the steps inside control-flow steps (which later steps
 * cannot read directly: they read the control step's output).
 */
function rawIds(list: unknown, deep = false): string[] {
  if (!Array.isArray(list)) return [];
  const ids: string[] = [];
  for (const step of list) {
    if (!isRecord(step)) continue;
    if (typeof step['id'] === 'string') ids.push(step['id']);
    ids.push(...rawIds(step['onError'], deep));
    if (deep) {
      const params = isRecord(step['params']) ? step['params'] : {};
      for (const source of [step, params]) {
        ids.push(...rawIds(source['steps'], true), ...rawIds(source['default'], true));
        if (Array.isArray(source['branches'])) for (const b of source['branches']) ids.push(...rawIds(b, true));
        if (Array.isArray(source['cases'])) for (const c of source['cases']) if (isRecord(c)) ids.push(...rawIds(c['steps'], true));
      }
    }
  }
  return ids;
}

/** Which step types own which control-flow fields. */
const CONTROL_FIELDS: Record<string, string[]> = {
  foreach: ['items', 'concurrency', 'steps'],
  parallel: ['branches'],
  switch: ['cases', 'default'],
};
const ALL_CONTROL_FIELDS = [...new Set(Object.values(CONTROL_FIELDS).flat())];

type ControlFields = Pick<StepDefinition, 'items' | 'concurrency' | 'steps' | 'branches' | 'cases' | 'default'>;

interface LiftedFields {
  values: Record<string, unknown>;
  /** Where a field was written (step level or inside params), for problem paths. */
  pointer(key: string): string;
}

/**
 * Control-flow fields may be written on the step or inside params (DESIGN's
 * table lists them as params); both mean the same. They are lifted out of
 * params so the runner-facing params stay plain.
 */
function liftControlFields(raw: Record<string, unknown>, params: Record<string, unknown>, at: string, type: string): { params: Record<string, unknown>; fields: LiftedFields } {
  const values: Record<string, unknown> = {};
  const inParams = new Set<string>();
  const rest: Record<string, unknown> = { ...params };
  for (const key of ALL_CONTROL_FIELDS) {
    if (raw[key] !== undefined) values[key] = raw[key];
    else if (isControlStep(type) && params[key] !== undefined) {
      values[key] = params[key];
      inParams.add(key);
      delete rest[key];
    }
  }
  return {
    params: rest,
    fields: {
      values,
      pointer: (key) => {
        const head = key.split('/')[0] as string;
        return inParams.has(head) ? `${at}/params/${key}` : `${at}/${key}`;
      },
    },
  };
}

function suggest(id: string, ids: ReadonlySet<string>): string {
  const near = [...ids].find((candidate) => candidate.toLowerCase() === id.toLowerCase());
  return near !== undefined ? ` (did you mean "${near}"?)` : '';
}
