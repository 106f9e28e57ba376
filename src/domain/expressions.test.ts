import { describe, expect, it } from 'vitest';
import {
  checkTemplates,
  compileTemplates,
  evaluate,
  referencedSteps,
  templateReferences,
  type EvaluateOptions,
} from './expressions.js';
import type { JsonValue } from './json.js';
import { StepError } from './step-error.js';

/** 2024-03-01T12:00:00Z, a fixed reference instant. */
const REFERENCE_NOW = Date.UTC(2024, 2, 1, 12, 0, 0);
const options: EvaluateOptions = { now: () => REFERENCE_NOW, timeoutMs: 1000 };

const context = {
  input: { since: 42, name: 'posts', flag: true, nothing: null },
  steps: {
    fetch: {
      output: { status: 200, body: [{ id: 1, title: 'a' }, { id: 2, title: 'b' }], big: 12345678901234567890n },
      status: 'succeeded',
      error: null,
      attempts: 1,
    },
  },
  prev: { ok: true },
};

async function run(value: JsonValue, ctx: unknown = context, opts: EvaluateOptions = options): Promise<JsonValue> {
  return evaluate(compileTemplates(value), ctx, opts);
}

async function failure(value: JsonValue, ctx: unknown = context, opts: EvaluateOptions = options): Promise<StepError> {
  try {
    await run(value, ctx, opts);
  } catch (err) {
    if (err instanceof StepError) return err;
    throw err;
  }
  throw new Error('expected the evaluation to fail');
}

describe('when a string is exactly one template', () => {
  it('keeps the JSON type of the result', async () => {
    expect(await run('{{ input.since }}')).toBe(42);
    expect(await run('{{ input.flag }}')).toBe(true);
    expect(await run('{{ steps.fetch.output.body[0] }}')).toEqual({ id: 1, title: 'a' });
    expect(await run('{{ steps.fetch.output.body.title }}')).toEqual(['a', 'b']);
    expect(await run('{{ input.nothing }}')).toBeNull();
  });

  it('gives null when the path finds nothing', async () => {
    expect(await run('{{ input.missing.deeper }}')).toBeNull();
  });

  it('passes integers beyond 2^53 through digit for digit', async () => {
    expect(await run('{{ steps.fetch.output.big }}')).toBe(12345678901234567890n);
    expect(await run({ wrapped: ['{{ steps.fetch.output }}'] })).toMatchObject({ wrapped: [{ big: 12345678901234567890n }] });
  });

  it('returns plain arrays and objects that do not share structure with the context', async () => {
    const result = await run('{{ steps.fetch.output.body.id }}');
    expect(Object.getOwnPropertyNames(result)).toEqual(['0', '1', 'length']);
    const body = (await run('{{ steps.fetch.output.body }}')) as JsonValue[];
    expect(body).not.toBe(context.steps.fetch.output.body);
    const made = await run('{{ {"a": input.missing, "b": 1} }}');
    expect(made).toEqual({ b: 1 });
    expect(Object.getPrototypeOf(made)).toBe(Object.prototype);
  });
});

describe('when a string mixes text and templates', () => {
  it('interpolates strings, numbers, booleans and JSON-encodes containers', async () => {
    expect(await run('id_gte={{ input.since }}&n={{ input.name }}&f={{ input.flag }}')).toBe('id_gte=42&n=posts&f=true');
    expect(await run('body={{ steps.fetch.output.body[0] }}')).toBe('body={"id":1,"title":"a"}');
    expect(await run('big={{ steps.fetch.output.big }}')).toBe('big=12345678901234567890');
  });

  it('writes nothing for a path that finds nothing, or null', async () => {
    expect(await run('[{{ input.missing }}|{{ input.nothing }}]')).toBe('[|]');
  });

  it('leaves strings without templates and non-strings untouched', async () => {
    expect(await run({ a: 'plain }} text', b: 3, c: [true, null] })).toEqual({ a: 'plain }} text', b: 3, c: [true, null] });
  });
});

describe('when evaluation fails', () => {
  it('throws an expression StepError with the expression and the position', async () => {
    const err = await failure({ url: 'x={{ input.name + 1 }}' });
    expect(err.kind).toBe('expression');
    expect(err.message).toContain('{{ input.name + 1 }}');
    expect(err.message).toContain('/url');
    expect(err.message).toMatch(/at position \d+/);
    expect(err.data).toMatchObject({ expression: 'input.name + 1', pointer: '/url', code: 'T2001' });
  });

  it('fails a template that does not parse only when it is evaluated', async () => {
    const compiled = compileTemplates({ ok: 'fine', bad: '{{ a.b + }}' });
    const err = await evaluate(compiled, {}, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).message).toContain('does not parse');
  });

  it('refuses results that are not JSON', async () => {
    expect((await failure('{{ 1/0 }}')).message).toContain('not a JSON number');
    expect((await failure('{{ function($x){ $x } }}')).message).toContain('function');
  });

  it('stops endless tail recursion once the clock passes the time limit', async () => {
    let tick = REFERENCE_NOW;
    const fakeClock: EvaluateOptions = { now: () => (tick += 1), timeoutMs: 5000 };
    const err = await failure('{{ ($f := function(){ $f() }; $f()) }}', {}, fakeClock);
    expect(err.kind).toBe('expression');
    expect(err.message).toContain('ran longer than 5000ms');
  });

  it('stops recursion that grows without end at the depth limit', async () => {
    const err = await failure('{{ ($f := function($n){ 1 + $f($n + 1) }; $f(0)) }}', {}, { ...options, maxDepth: 500 });
    expect(err.message).toContain('deeper than 500 levels');
  });

  it('allows deep but finite recursion under the default limits', async () => {
    expect(await run('{{ ($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(300)) }}')).toBe(300);
  });
});

describe('compiled values', () => {
  it('keep concurrent evaluations apart (context, clock and limits are per evaluation)', async () => {
    const compiled = compileTemplates('{{ [input.n, $millis()] }}');
    const [a, b] = await Promise.all([
      evaluate(compiled, { input: { n: 1 } }, { now: () => 1, timeoutMs: 1000 }),
      evaluate(compiled, { input: { n: 2 } }, { now: () => 2, timeoutMs: 1000 }),
    ]);
    expect(a).toEqual([1, 1]);
    expect(b).toEqual([2, 2]);
  });

  it('write a literal {{ through a string expression', async () => {
    expect(await run('a {{ "{{" }} b')).toBe('a {{ b');
  });
});

describe('the clock inside expressions', () => {
  it('reads $now() and $millis() from the clock passed in', async () => {
    expect(await run('{{ [$now(), $millis(), $now("[Y0001]-[M01]-[D01]")] }}')).toEqual([
      '2024-03-01T12:00:00.000Z',
      REFERENCE_NOW,
      '2024-03-01',
    ]);
  });
});

describe('static checks', () => {
  it('lists templates that do not parse, with the pointer of the string', () => {
    const problems = checkTemplates({ url: 'http://x/{{ a.b + }}', list: ['ok {{ a }}', '{{ unclosed'] }, '/steps/0/params');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ path: '/steps/0/params/url' });
    expect(problems[0]?.message).toMatch(/\{\{ a\.b \+ \}\} does not parse: .*position/);
    expect(problems[1]).toMatchObject({ path: '/steps/0/params/list/1', message: expect.stringContaining('not closed') });
  });

  it('escapes keys in pointers', () => {
    expect(checkTemplates({ 'a/b~c': '{{ ] }}' })[0]?.path).toBe('/a~1b~0c');
  });

  it('finds the steps an expression reads at the root', () => {
    const compiled = compileTemplates({
      a: '{{ steps.fetch.output.body }}',
      b: '{{ $max(steps.count.output) }} and {{ $$.steps.deep.output }} and {{ $.steps.dollar }}',
      c: '{{ $map(input.xs, function($v){ steps.inLambda.output }) }}',
      d: '{{ {"k": steps.`quoted`.output} }}',
    });
    expect(referencedSteps(compiled).sort()).toEqual(['count', 'deep', 'dollar', 'fetch', 'inLambda', 'quoted']);
  });

  it('ignores `steps` that names a field of an item, not the execution', () => {
    const compiled = compileTemplates('{{ input.items[steps.x = 1].steps.y }}');
    expect(referencedSteps(compiled)).toEqual([]);
  });

  it('reports each reference with the pointer of its string', () => {
    const compiled = compileTemplates({ headers: { auth: 'Bearer {{ steps.login.output.token }}' } });
    expect(templateReferences(compiled, '/steps/1/params')).toEqual([{ path: '/steps/1/params/headers/auth', stepId: 'login' }]);
  });
});

describe('bounded built-ins and slow expressions', () => {
  const opts = (clock: { t: number }) => ({ now: () => clock.t, timeoutMs: 1000 });

  it('pads like JSONata, within a width limit', async () => {
    const clock = { t: 0 };
    expect(await evaluate(compileTemplates('{{ $pad("ab", 5, "-") }}'), {}, opts(clock))).toBe('ab---');
    expect(await evaluate(compileTemplates('{{ $pad("ab", -5) }}'), {}, opts(clock))).toBe('   ab');
    await expect(evaluate(compileTemplates('{{ $pad("", 50000000, "ab") }}'), {}, opts(clock))).rejects.toMatchObject({ kind: 'expression', message: expect.stringContaining('over the limit') });
  });

  it('fails an evaluation that ran past the limit in one piece (no step in between to stop it)', async () => {
    const clock = { t: 0 };
    // A clock that jumps while the single built-in runs stands in for a slow regular expression.
    const slow = { now: () => clock.t, timeoutMs: 1000 };
    const context = { get s() { clock.t += 5000; return 'aaa'; } };
    await expect(evaluate(compileTemplates('{{ s }}'), context, slow)).rejects.toMatchObject({ kind: 'expression', message: expect.stringContaining('over the 1000ms limit') });
  });
});

describe('integers beyond 2^53', () => {
  it('explain themselves when an expression tries to compute with them', async () => {
    const big = { id: 12345678901234567890n };
    await expect(evaluate(compileTemplates('{{ "id-" & id }}'), big, { now: () => 0, timeoutMs: 1000 })).rejects.toMatchObject({
      kind: 'expression',
      message: expect.stringContaining('beyond 2^53 is kept exact'),
    });
    expect(await evaluate(compileTemplates('{{ id }}'), big, { now: () => 0, timeoutMs: 1000 })).toBe(12345678901234567890n);
  });
});
