/** Runs `promtool check ...` so a file Prometheus would refuse is caught before it is loaded. */
import { execFile } from 'node:child_process';

export interface CheckResult {
  ok: boolean;
  /** promtool's own explanation (stdout and stderr, trimmed) */
  output: string;
}

function run(promtool: string, args: string[]): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(promtool, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ ok: !err, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** `promtool check rules FILE` */
export function checkRulesFile(promtool: string, file: string): Promise<CheckResult> {
  return run(promtool, ['check', 'rules', file]);
}

/** `promtool check config FILE` (also checks the rule files it names). */
export function checkConfigFile(promtool: string, file: string): Promise<CheckResult> {
  return run(promtool, ['check', 'config', file]);
}
