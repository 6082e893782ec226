/** The real Prometheus tools, when installed (scripts/ci/install-prometheus.sh installs them in CI). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinaries, findOnPath } from '../../../src/alerting/external/index.ts';

export const BINARIES = resolveBinaries();
export const AMTOOL = findOnPath('amtool');

/** A test option that skips with the reason when a tool is missing. */
export function needs(...tools: Array<'prometheus' | 'alertmanager' | 'promtool' | 'amtool'>): { skip?: string } {
  const have = { ...BINARIES, amtool: AMTOOL };
  const missing = tools.filter((t) => !have[t]);
  return missing.length ? { skip: `${missing.join(', ')} not installed (scripts/ci/install-prometheus.sh)` } : {};
}

function checkWith(tool: string | undefined, args: string[], text: string, fileName: string): { ok: boolean; output: string } {
  if (!tool) throw new Error('tool not installed');
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-check-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, text);
    const r = spawnSync(tool, [...args, file], { encoding: 'utf8', timeout: 30_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `amtool check-config` on YAML text. */
export const amtoolCheck = (yaml: string) => checkWith(AMTOOL, ['check-config'], yaml, 'alertmanager.yml');
/** `promtool check rules` on YAML text. */
export const promtoolCheckRules = (yaml: string) => checkWith(BINARIES.promtool, ['check', 'rules'], yaml, 'rules.yaml');
