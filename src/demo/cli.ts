/**
 * The `kubernaut demo` command's options turned into a run: which scenario, where the stack's data
 * goes, how fast Kubernaut's waiting times run, and the exit code (0 every criterion held, 1 not,
 * 2 bad usage, 130 interrupted).
 */
import { join, resolve } from 'node:path';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { logToFile } from '../platform/log.ts';
import { processAlive } from '../platform/process-alive.ts';
import { DEFAULT_SCENARIO, loadScenario, scenarioNames } from './scenarios/index.ts';

/**
 * Default time scale: Kubernaut's waits (the alert's `for: 3m`, the effectiveness stabilization
 * window of 5 min, evaluation and scrape intervals, requeues) ÷ 60, so the alert waits 3 s and the
 * assessment 5 s: each stage still shows on the timeline, and the whole run stays within a minute on
 * a 2-core laptop. The kubelet's simulated work (mounting, pulling, starting) is never scaled.
 */
export const DEFAULT_TIME_SCALE = 60;
/**
 * With --interactive a person has to type the approval before the request expires (15 min ÷ scale):
 * at 10 that is 90 s, while the alert still fires within 18 s.
 */
export const DEFAULT_INTERACTIVE_TIME_SCALE = 10;

/** Marks a data dir the demo made (and may wipe again). */
const DEMO_MARKER = '.kubernaut-demo';

export interface DemoCliOptions {
  list?: boolean;
  dataDir?: string;
  timeScale?: number;
  realtime?: boolean;
  interactive?: boolean;
  keep?: boolean;
  timeout?: number;
}

/** Real ms the whole demo may take: startup and deployment, plus Kubernaut's scaled windows. */
export function defaultTimeoutMs(timeScale: number, interactive: boolean): number {
  // 3 min of real work (stack, rollout, Jobs, pods) + 20 nominal minutes of windows and timeouts, scaled;
  // a person deciding gets the approval request's own 15 min.
  return 180_000 + (20 * 60_000) / timeScale + (interactive ? (15 * 60_000) / timeScale : 0);
}

/** The data dir: never anything but an empty dir or one an earlier demo made (it is wiped). */
export function demoDataDir(flag: string | undefined): { dir: string } | { error: string } {
  const dir = resolve(flag ?? join(process.env.KUBERNAUT_HOME ?? '.kubernaut', 'demo'));
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    const ours = entries.length === 0 || entries.includes(DEMO_MARKER) || entries.includes('endpoints.json') || entries.includes('kubeconfig');
    if (!ours) return { error: `${dir} is not empty and is not a Kubernaut data dir: the demo wipes its data dir, so choose another with --data-dir` };
    try {
      const ep = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')) as { pid?: number };
      if (ep.pid && ep.pid !== process.pid && processAlive(ep.pid)) return { error: `a kubernaut up (pid ${ep.pid}) is running on ${dir}: stop it, or choose another --data-dir` };
    } catch {
      // No (readable) endpoints.json: nothing runs there.
    }
  }
  return { dir };
}

export async function runDemoCommand(name: string | undefined, opts: DemoCliOptions): Promise<number> {
  if (opts.list) {
    for (const n of scenarioNames()) {
      const s = await loadScenario(n);
      process.stdout.write(`${n.padEnd(40)} ${s?.title ?? ''}\n`);
    }
    return 0;
  }
  const scenarioName = name ?? DEFAULT_SCENARIO;
  const scenario = await loadScenario(scenarioName);
  if (!scenario) {
    process.stderr.write(`kubernaut demo: unknown scenario "${scenarioName}"; known scenarios:\n${scenarioNames().map((n) => `  ${n}\n`).join('')}`);
    return 2;
  }
  if (opts.realtime && opts.timeScale !== undefined && opts.timeScale !== 1) {
    process.stderr.write('kubernaut demo: --realtime and --time-scale contradict each other\n');
    return 2;
  }
  const where = demoDataDir(opts.dataDir);
  if ('error' in where) {
    process.stderr.write(`kubernaut demo: ${where.error}\n`);
    return 2;
  }
  const interactive = !!opts.interactive;
  // A scenario whose workflow does real-time work inside a scaled deadline caps the default scale.
  const timeScale = opts.realtime ? 1 : (opts.timeScale ?? Math.min(interactive ? DEFAULT_INTERACTIVE_TIME_SCALE : DEFAULT_TIME_SCALE, scenario.stack?.maxTimeScale ?? Infinity));
  // A fresh stack every time: nothing of an earlier run can interfere.
  rmSync(where.dir, { recursive: true, force: true });
  mkdirSync(where.dir, { recursive: true });
  writeFileSync(join(where.dir, DEMO_MARKER), 'made by kubernaut demo; wiped at its next start\n');
  // The follower's own logs (informers) go to a file, not between the timeline's lines.
  logToFile(join(where.dir, 'logs', 'demo.log'));

  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupted: stopping the stack (Ctrl-C again to leave at once)\n');
      interrupt.abort(new Error('interrupted'));
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { runDemo } = await import('./run.ts');
    const result = await runDemo({
      scenario,
      dataDir: where.dir,
      timeScale,
      interactive,
      keep: !!opts.keep,
      timeoutMs: opts.timeout ?? defaultTimeoutMs(timeScale, interactive),
      signal: interrupt.signal,
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
