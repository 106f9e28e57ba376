// The `tasker` command as a user runs it: `node bin/tasker.js ...` in a child
// process, checking exit codes and what it prints. Each test works in its own
// temp directory and database.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/tasker.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tasker-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tasker(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, TASKER_LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const noStack = (r: Result) => expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('tasker validate', () => {
  it('prints "valid" and exits 0 for a good YAML definition', async () => {
    const path = await file('good.yaml', 'name: good\nsteps:\n  - id: a\n    type: transform\n    params: { value: 1 }\n');
    const r = await tasker(['validate', path]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('valid');
  });

  it('prints every problem as path: message and exits 1', async () => {
    const path = await file('bad.json', JSON.stringify({ name: 'bad', steps: [{ id: 'a', type: 'nope', params: {} }, { id: 'a', type: 'transform', params: {}, timeout: 'soon' }] }));
    const r = await tasker(['validate', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\s+\/steps\/0\/type: .+$/m);
    expect(r.stdout).toMatch(/^\s+\/steps\/1\/timeout: .+$/m);
    noStack(r);
  });

  it('explains a missing file without a stack trace', async () => {
    const r = await tasker(['validate', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*missing\.yaml: no such file/);
    noStack(r);
  });
});

describe('tasker cron', () => {
  it('prints the next instants in ISO UTC with the local time alongside', async () => {
    const r = await tasker(['cron', '0 9 * * MON', '--tz', 'Europe/Paris', '--from', '2025-01-01T00:00:00Z', '--count', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2025-01-06T08:00:00\.000Z\s+Mon 2025-01-06 09:00:00 /);
    expect(lines[1]).toMatch(/^2025-01-13T08:00:00\.000Z\s+Mon 2025-01-13 09:00:00 /);
  });

  it('explains an invalid expression and exits 1', async () => {
    const r = await tasker(['cron', '61 * * * *']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tasker: .+/);
    noStack(r);
  });

  it('refuses a bad --count as a usage error', async () => {
    const r = await tasker(['cron', '* * * * *', '--count', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--count');
  });
});

describe('tasker run', () => {
  it('runs a definition, prints each step and the output, and exits 0', async () => {
    const path = await file('double.yaml', [
      'name: double',
      'steps:',
      '  - id: twice',
      '    type: transform',
      '    params: { value: "{{ input.n * 2 }}" }',
      '  - id: wrap',
      '    type: transform',
      '    params: { value: { result: "{{ steps.twice.output }}" } }',
      '',
    ].join('\n'));
    const r = await tasker(['run', path, '--input', '{"n": 21}', '--db', `sqlite:${join(dir, 'run.db')}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/twice\s+succeeded\s+\(attempt 1, [^)]+\)\s+42/);
    expect(r.stdout).toMatch(/wrap\s+succeeded/);
    expect(r.stdout).toMatch(/execution \S+ succeeded/);
    expect(r.stdout).toContain('"result": 42');
  });

  it('runs it again as an update of the same task', async () => {
    const path = await file('again.json', JSON.stringify({ name: 'again', steps: [{ id: 'a', type: 'transform', params: { value: 'x' } }] }));
    const db = `sqlite:${join(dir, 'again.db')}`;
    expect((await tasker(['run', path, '--db', db])).code).toBe(0);
    const second = await tasker(['run', path, '--db', db]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/running again \(version \d+\)/);
  });

  it('prints the failing step and exits 1 when the execution fails', async () => {
    const path = await file('fails.json', JSON.stringify({ name: 'fails', steps: [{ id: 'boom', type: 'fail', params: { message: 'no luck' } }] }));
    const r = await tasker(['run', path, '--db', `sqlite:${join(dir, 'fails.db')}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/boom\s+failed.*no luck/);
    expect(r.stdout).toMatch(/execution \S+ failed/);
    noStack(r);
  });

  it('exits 2 with every problem for an invalid definition', async () => {
    const path = await file('invalid.json', JSON.stringify({ name: 'invalid', steps: [{ id: 'a', type: 'nope', params: {} }] }));
    const r = await tasker(['run', path, '--db', `sqlite:${join(dir, 'invalid.db')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/steps\/0\/type: /);
    noStack(r);
  });

  it('exits 2 for bad --input JSON and for a bad configuration', async () => {
    const path = await file('ok.json', JSON.stringify({ name: 'ok', steps: [{ id: 'a', type: 'transform', params: { value: 1 } }] }));
    const badInput = await tasker(['run', path, '--input', '{nope', '--db', `sqlite:${join(dir, 'ok.db')}`]);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toContain('--input');
    const badConfig = await tasker(['run', path, '--db', `sqlite:${join(dir, 'ok.db')}`], { TASKER_WORKER_CONCURRENCY: 'lots' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('TASKER_WORKER_CONCURRENCY');
    noStack(badInput);
    noStack(badConfig);
  });

  describe('when the input does not match the task\'s input schema', () => {
    const schemaTask = JSON.stringify({
      name: 'needs-api',
      input: { type: 'object', required: ['api'], properties: { api: { type: 'string' } } },
      steps: [{ id: 'a', type: 'transform', params: { value: '{{ input.api }}' } }],
    });

    it('exits 2 with the problem and a hint to pass --input when none was given', async () => {
      const path = await file('needs-api.json', schemaTask);
      const r = await tasker(['run', path, '--db', `sqlite:${join(dir, 'needs-api.db')}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^tasker: the input does not match the input schema of task 'needs-api'$/m);
      expect(r.stderr).toMatch(/^\s+\/input: .*api/m);
      expect(r.stderr).toContain("pass --input '{…}'");
      expect(r.stdout).not.toMatch(/running needs-api/);
      noStack(r);
    });

    it('exits 2 with the problem, and no hint, when --input was given', async () => {
      const path = await file('needs-api-2.json', schemaTask);
      const r = await tasker(['run', path, '--input', '{"api": 5}', '--db', `sqlite:${join(dir, 'needs-api-2.db')}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^\s+\/input\/api: /m);
      expect(r.stderr).not.toContain('pass --input');
      noStack(r);
    });
  });
});

describe('tasker serve', () => {
  it('listens, logs that it started, answers /healthz, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', `sqlite:${join(dir, 'serve.db')}`], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, TASKER_LOG_LEVEL: 'info' },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL printed: ${stdout}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          done(m[1] as string);
        }
      });
    });
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    const started = stdout.split('\n').filter((line) => line.includes('"msg":"tasker started"'));
    expect(started).toHaveLength(1);
    expect(JSON.parse(started[0] as string)).toMatchObject({ role: 'all', db: 'sqlite', queue: 'in-process', url });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('says the port is taken, with the fix, and never that it started, when another process holds it', async () => {
    const holder: Server = createServer();
    await new Promise<void>((done, fail) => {
      holder.once('error', fail);
      holder.listen(0, '127.0.0.1', done);
    });
    const address = holder.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const r = await tasker(['serve', '--port', String(port), '--db', `sqlite:${join(dir, 'taken.db')}`], { TASKER_LOG_LEVEL: 'info' });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`tasker: port ${port} on 127.0.0.1 is already in use; stop the other process or pick another port with --port or TASKER_PORT`);
      expect(r.stdout).not.toContain('tasker started');
      expect(r.stdout).not.toContain('listening on');
      noStack(r);
    } finally {
      await new Promise((done) => holder.close(done));
    }
  });
});
