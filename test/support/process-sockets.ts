// Which TCP connections a process holds, read from Linux's /proc: lets a kill
// test wait until a given worker process really has a request open to the
// target (its socket's local port is the port the target sees) before it
// kills it. Linux only; reads, never changes, anything.
import { readFile, readdir, readlink } from 'node:fs/promises';

/** The local ports of the process's TCP connections whose remote port is `remotePort` (IPv4 and IPv6). */
export async function localPortsTo(pid: number, remotePort: number): Promise<Set<number>> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return new Set(); // the process is gone
  }
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1] !== undefined) inodes.add(m[1]);
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const cols = line.trim().split(/\s+/);
      const [local, remote, inode] = [cols[1], cols[2], cols[9]];
      if (local === undefined || remote === undefined || inode === undefined || !inodes.has(inode)) continue;
      if (parseInt(remote.split(':')[1] ?? '', 16) === remotePort) ports.add(parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
