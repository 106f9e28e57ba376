import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLocalOwner } from './local-owner.js';

describe('createLocalOwner', () => {
  const me = createLocalOwner();
  const [host, , , ns] = me.name.split(':');

  it('is alive itself, and for a live process of this host', () => {
    expect(me.isDead(me.name)).toBe(false);
    expect(me.isDead(`${host}:${process.ppid}:abcd1234:${ns}`)).toBe(false);
  });

  it('is dead for a process of this host and namespace that exited, or an earlier holder of its own pid', () => {
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(me.isDead(`${host}:${child.pid}:abcd1234:${ns}`)).toBe(true);
    expect(me.isDead(`${host}:${process.pid}:00000000:${ns}`)).toBe(true);
  });

  it('never calls dead what it cannot be sure of', () => {
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(me.isDead(`other-host:${child.pid}:abcd1234:${ns}`)).toBe(false);
    expect(me.isDead(`${host}:${child.pid}:abcd1234:999`)).toBe(false);
    expect(me.isDead(`${host}:${child.pid}:abcd1234`)).toBe(false);
    expect(me.isDead('garbage')).toBe(false);
  });
});
