// The Dockerfile and docker-compose.yml cannot be built here (no Docker
// engine), so this keeps them honest against the code: every path they copy
// exists, every role they start is a real role, and the environment they set
// is a configuration the service accepts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { ROOT } from '../support/processes.js';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

describe('deployment files', () => {
  it('copy only paths that exist, and start the tasker binary', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) expect(existsSync(join(ROOT, path)), path).toBe(true);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/tasker.js"\]/);
  });

  it('run an api, a scheduler and workers, each with a role the service knows', () => {
    const roles = Object.values(compose.services).flatMap((s) => (s.command?.[0] === 'serve' ? [s.command[2]] : []));
    expect(roles.sort()).toEqual(['api', 'scheduler', 'worker']);
  });

  it('give every tasker service a configuration that loads', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.command?.[0] !== 'serve') continue;
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{TASKER_API_TOKEN[^}]*\}/, 'a-token')]));
      for (const key of Object.keys(env)) expect(key, `${name}: ${key}`).toMatch(/^TASKER_/);
      expect(() => loadConfig(env), name).not.toThrow();
      expect(env['TASKER_DB_URL'], name).toMatch(/^mysql:\/\//);
      expect(env['TASKER_REDIS_URL'], name).toMatch(/^redis:\/\//);
    }
  });
});
