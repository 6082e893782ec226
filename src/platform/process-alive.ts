import { readFileSync } from 'node:fs';

/**
 * Whether a process with this pid is running. Signal 0 probes without signalling, but it also
 * succeeds for a zombie: a process that exited and was not reaped yet. Orphans of a killed parent
 * are reaped by PID 1, and in a container PID 1 is often a program that never reaps, so a zombie
 * can stay for the container's lifetime; it holds no files, ports or locks, so it counts as gone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** Linux's state letter in /proc/<pid>/stat (after the command name, which may hold spaces or ')'). */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // no /proc (not Linux) or it just went: signal 0 said it existed
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
