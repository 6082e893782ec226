/**
 * Runs a scenario folder's shell scripts the way a user does (bash, KUBECONFIG and KUBERNAUT_HOME
 * pointing at the demo's stack), narrating their output line by line, and reads the `validate.sh`
 * contract: one line per criterion, `PASS <criterion>` or `FAIL <criterion>: <detail>`, exit 0 iff
 * every criterion passed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, DemoContext } from './scenario.ts';

export interface ScriptResult {
  code: number | null;
  lines: string[];
}

export class ScriptError extends Error {}

/** Runs `dir/script args` with bash; every output line goes to ctx.say as it comes. */
export function runScript(ctx: DemoContext, dir: string, script: string, args: string[] = [], opts: { timeoutMs?: number; quiet?: boolean } = {}): Promise<ScriptResult> {
  const file = join(dir, script);
  if (!existsSync(file)) return Promise.reject(new ScriptError(`${file} does not exist`));
  return new Promise((resolve) => {
    const child = spawn('bash', [file, ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: ctx.kubeconfigPath, KUBERNAUT_HOME: ctx.dataDir },
      // Its own process group, so stopping it also stops the kubectl it waits on (bash alone would wait for it).
      detached: true,
    });
    const lines: string[] = [];
    let pending = '';
    const onData = (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (!opts.quiet && line.trim()) ctx.say(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    ctx.signal.addEventListener('abort', kill, { once: true });
    const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      lines.push(String(e));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', kill);
      if (pending) {
        lines.push(pending);
        if (!opts.quiet && pending.trim()) ctx.say(pending);
      }
      resolve({ code, lines });
    });
  });
}

/** Runs a script and throws (with its last lines) unless it exits 0. */
export async function runScriptOk(ctx: DemoContext, dir: string, script: string, args: string[] = [], opts: { timeoutMs?: number } = {}): Promise<ScriptResult> {
  const r = await runScript(ctx, dir, script, args, opts);
  if (r.code !== 0) throw new ScriptError(`${script} ${args.join(' ')} exited ${r.code}: ${r.lines.filter((l) => l.trim()).slice(-5).join(' | ')}`);
  return r;
}

/** The `validate.sh` contract as checks: PASS/FAIL lines, and the exit code agreeing with them. */
export function parseValidation(result: ScriptResult, script = 'validate.sh'): Check[] {
  const checks: Check[] = [];
  for (const line of result.lines) {
    const m = /^(PASS|FAIL)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    // A criterion may itself contain ": " (`audit trail: ...`), so a failure's detail is kept in the name, not guessed apart.
    checks.push({ name: `${script}: ${m[2].trim()}`, ok: m[1] === 'PASS' });
  }
  if (checks.length === 0) checks.push({ name: `${script} reports its criteria`, ok: false, detail: `no PASS/FAIL lines (exit ${result.code}): ${result.lines.slice(-3).join(' | ')}` });
  const allPassed = checks.every((c) => c.ok);
  if (allPassed !== (result.code === 0)) checks.push({ name: `${script} exit code agrees with its criteria`, ok: false, detail: `exit ${result.code} with ${allPassed ? 'every criterion passing' : 'a failing criterion'}` });
  return checks;
}
