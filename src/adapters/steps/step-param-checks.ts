// Static checks of built-in step params, for the definition validator: each
// returns every problem with a JSON-pointer path relative to params (`/url`).
// A string holding a template (`{{`) is accepted wherever a value is expected,
// since only the runner sees its resolved value. Pure: no I/O, nothing run.
import { checkDelayParams } from '../../domain/delay-params.js';
import { parseDuration } from '../../domain/duration.js';
import type { ParamCheck, ParamProblem as Problem } from '../../domain/step-catalog.js';
import { hasTemplate } from '../../domain/template.js';
import { parseByteSize, parseFollowRedirects, parseMethod, parseSuccessStatus } from './http-options.js';
import { BODY_TYPES } from './http-request.js';
import { LOG_LEVELS } from './log-step.js';

export { createBuiltinStepRunners } from './builtin-steps.js';

export type { ParamCheck };

const isTemplate = (v: unknown): boolean => typeof v === 'string' && hasTemplate(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v) ?? String(v));
const pointer = (...parts: string[]): string => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Builds a check from a list of known params and per-param rules. */
function check(type: string, known: string[], rules: (params: Record<string, unknown>, problems: Problem[]) => void): ParamCheck {
  return (params) => {
    const problems: Problem[] = [];
    for (const name of Object.keys(params)) {
      if (!known.includes(name)) {
        problems.push({ path: pointer(name), message: `unknown param "${name}": ${type} takes ${known.map((k) => `"${k}"`).join(', ')}` });
      }
    }
    rules(params, problems);
    return problems;
  };
}

function required(params: Record<string, unknown>, name: string, problems: Problem[], what = 'a value'): boolean {
  if (params[name] !== undefined) return true;
  problems.push({ path: pointer(name), message: `is required: expected ${what}` });
  return false;
}

/** Runs a parser unless the value is absent or a template. */
function parsed(params: Record<string, unknown>, name: string, problems: Problem[], parse: (v: unknown) => { ok: boolean; message?: string }): void {
  const value = params[name];
  if (value === undefined || isTemplate(value)) return;
  const r = parse(value);
  if (!r.ok) problems.push({ path: pointer(name), message: r.message ?? 'is invalid' });
}

function nonEmptyName(params: Record<string, unknown>, name: string, problems: Problem[]): void {
  const v = params[name];
  if (v === undefined || isTemplate(v) || (typeof v === 'string' && v !== '') || typeof v === 'number' || typeof v === 'bigint') return;
  problems.push({ path: pointer(name), message: `expected a non-empty string, got ${show(v)}` });
}

function checkUrl(value: unknown): { ok: boolean; message?: string } {
  const fail = { ok: false, message: `expected an absolute http(s) URL like https://api.example.com/items, got ${show(value)}` };
  if (typeof value !== 'string') return fail;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? { ok: true } : fail;
  } catch {
    return fail;
  }
}

function checkNameValueObject(params: Record<string, unknown>, name: string, problems: Problem[], header: boolean): void {
  const value = params[name];
  if (value === undefined || value === null || isTemplate(value)) return;
  if (!isObject(value)) {
    problems.push({ path: pointer(name), message: `expected an object of names to values, got ${show(value)}` });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (header && !HEADER_NAME_RE.test(key)) problems.push({ path: pointer(name, key), message: 'is not a valid header name' });
    if (header && typeof item === 'string' && /[\r\n\0]/.test(item)) {
      problems.push({ path: pointer(name, key), message: 'header values cannot contain line breaks or NUL' });
    }
  }
}

function checkAuth(params: Record<string, unknown>, problems: Problem[]): void {
  const auth = params.auth;
  if (auth === undefined || auth === null || isTemplate(auth)) return;
  const expected = 'expected { type: basic, username, password } or { type: bearer, token }';
  if (!isObject(auth)) {
    problems.push({ path: '/auth', message: `${expected}, got ${show(auth)}` });
  } else if (auth.type === 'basic') {
    if (typeof auth.username !== 'string') problems.push({ path: '/auth/username', message: 'is required: expected a string' });
  } else if (auth.type === 'bearer') {
    if (typeof auth.token !== 'string' || auth.token === '') problems.push({ path: '/auth/token', message: 'is required: expected a non-empty string' });
  } else {
    problems.push({ path: '/auth/type', message: `${expected}, got type ${show(auth.type)}` });
  }
}

function checkSuccessStatus(params: Record<string, unknown>, problems: Problem[]): void {
  const value = params.successStatus;
  if (value === undefined || isTemplate(value)) return;
  // In a list, template items are checked by the runner; the literal ones here.
  const literal = Array.isArray(value) ? value.filter((v) => !isTemplate(v)) : value;
  if (Array.isArray(value) && value.length > 0 && Array.isArray(literal) && literal.length === 0) return;
  const r = parseSuccessStatus(literal);
  if (!r.ok) problems.push({ path: '/successStatus', message: r.message });
}

const httpCheck = check(
  'http',
  ['method', 'url', 'headers', 'query', 'body', 'bodyType', 'auth', 'followRedirects', 'maxResponseBytes', 'successStatus'],
  (params, problems) => {
    if (required(params, 'url', problems, 'an absolute http(s) URL')) parsed(params, 'url', problems, checkUrl);
    parsed(params, 'method', problems, parseMethod);
    checkNameValueObject(params, 'headers', problems, true);
    checkNameValueObject(params, 'query', problems, false);
    parsed(params, 'bodyType', problems, (v) =>
      typeof v === 'string' && (BODY_TYPES as readonly string[]).includes(v)
        ? { ok: true } : { ok: false, message: `expected one of ${BODY_TYPES.join(', ')}, got ${show(v)}` });
    const method = parseMethod(params.method);
    if (!isTemplate(params.method) && method.ok && (method.value === 'GET' || method.value === 'HEAD')
      && params.body !== undefined && params.body !== null) {
      problems.push({ path: '/body', message: `a ${method.value} request cannot have a body; use POST, PUT or PATCH` });
    }
    checkAuth(params, problems);
    parsed(params, 'followRedirects', problems, parseFollowRedirects);
    parsed(params, 'maxResponseBytes', problems, parseByteSize);
    checkSuccessStatus(params, problems);
  },
);

function ttlCheck(value: unknown): { ok: boolean; message?: string } {
  if (value === null) return { ok: true };
  const r = parseDuration(value);
  if (!r.ok) return r;
  return r.ms > 0 ? { ok: true } : { ok: false, message: `expected a positive duration like 10m or 1h, got ${show(value)}` };
}

function storageCheck(type: string, extra: string[], rules?: (params: Record<string, unknown>, problems: Problem[]) => void): ParamCheck {
  return check(type, ['namespace', 'key', ...extra], (params, problems) => {
    required(params, 'key', problems, 'a non-empty string');
    nonEmptyName(params, 'key', problems);
    nonEmptyName(params, 'namespace', problems);
    rules?.(params, problems);
  });
}

export const BUILTIN_STEP_PARAM_CHECKS: Record<string, ParamCheck> = {
  http: httpCheck,
  transform: check('transform', ['value'], (params, problems) => {
    required(params, 'value', problems, 'the value (or template) to output');
  }),
  log: check('log', ['message', 'level', 'data'], (params, problems) => {
    required(params, 'message', problems, 'the text to log');
    parsed(params, 'level', problems, (v) =>
      typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v) ? { ok: true } : { ok: false, message: `expected one of ${LOG_LEVELS.join(', ')}, got ${show(v)}` });
  }),
  fail: check('fail', ['message', 'data'], (params, problems) => {
    required(params, 'message', problems, 'the failure message');
  }),
  'storage.read': storageCheck('storage.read', ['default']),
  'storage.write': storageCheck('storage.write', ['value', 'ttl'], (params, problems) => {
    required(params, 'value', problems, 'the value to store (use null to store null)');
    parsed(params, 'ttl', problems, ttlCheck);
  }),
  'storage.delete': storageCheck('storage.delete', []),
  // delay is done by the engine; its check lives in the domain.
  delay: checkDelayParams,
};
