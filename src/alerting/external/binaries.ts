/**
 * Finds the Prometheus, Alertmanager and promtool executables: an explicit path wins, else the
 * first match on PATH. Debian ships Alertmanager as `prometheus-alertmanager`, upstream tarballs
 * as `alertmanager`, so both names are tried.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export interface ResolvedBinaries {
  prometheus?: string;
  alertmanager?: string;
  /** Used to check rule files before Prometheus loads them. */
  promtool?: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable called `name` on `searchPath` (default: $PATH), else undefined. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Resolves the binaries. An explicit path that is not executable is an error (the user asked for
 * that file); names not found on PATH are simply absent. promtool is looked for next to the
 * Prometheus binary first, so a hand-picked Prometheus is checked by its own promtool.
 */
export function resolveBinaries(explicit: { prometheus?: string; alertmanager?: string } = {}, searchPath?: string): ResolvedBinaries {
  const chosen = (path: string | undefined, what: string): string | undefined => {
    if (path === undefined) return undefined;
    if (!isExecutable(path)) throw new Error(`${what} binary "${path}" does not exist or is not executable`);
    return path;
  };
  const prometheus = chosen(explicit.prometheus, 'prometheus') ?? findOnPath('prometheus', searchPath);
  const alertmanager =
    chosen(explicit.alertmanager, 'alertmanager') ?? findOnPath('prometheus-alertmanager', searchPath) ?? findOnPath('alertmanager', searchPath);
  const besidePrometheus = prometheus ? join(dirname(prometheus), 'promtool') : undefined;
  const promtool = besidePrometheus && isExecutable(besidePrometheus) ? besidePrometheus : findOnPath('promtool', searchPath);
  return { prometheus, alertmanager, promtool };
}
