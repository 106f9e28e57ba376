// This process's lease-owner name, and whether another owner named the same
// way is a process of this machine that no longer exists. That lets a
// restarted process (kill -9, then start again: the usual embedded case)
// take back its predecessor's executions at once instead of waiting for
// their leases to run out. Only a sure death counts: another host, another
// PID namespace (a container), an unparseable name or a process that exists
// (or a PID taken again by another process) all count as alive, and then the
// lease simply runs out as before.
import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LocalOwner {
  /** `<host>:<pid>:<random>:<pid namespace>`; unique per process start. */
  name: string;
  /** True only when `other` names a process of this host and PID namespace that is gone. */
  isDead(other: string): boolean;
}

/** The PID namespace's inode on Linux (two containers can share a host name); '-' elsewhere. */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '-';
  } catch {
    return '-';
  }
}

export function createLocalOwner(): LocalOwner {
  const host = hostname();
  const namespace = pidNamespace();
  const name = `${host}:${process.pid}:${randomUUID().slice(0, 8)}:${namespace}`;
  return {
    name,
    isDead(other) {
      if (other === name) return false;
      const parts = other.split(':');
      if (parts.length !== 4 || parts[0] !== host || parts[3] !== namespace) return false;
      const pid = Number(parts[1]);
      if (!Number.isSafeInteger(pid) || pid <= 0) return false;
      // Our own PID under another name: an earlier process that had it is gone.
      if (pid === process.pid) return true;
      try {
        process.kill(pid, 0);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH';
      }
    },
  };
}
