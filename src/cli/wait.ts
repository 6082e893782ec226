/**
 * `kubernaut wait`: blocks until the components of a `kubernaut up` on the data dir are ready, by
 * polling its endpoints.json, so scripts need not guess from the kubeconfig's existence.
 */
import { processAlive } from '../platform/process-alive.ts';
import { COMPONENT_FLAGS, COMPONENTS, readEndpoints, type Component, type Endpoints } from './endpoints.ts';

export interface WaitOptions {
  dataDir: string;
  /** Components to wait for; empty means every component the stack runs. */
  for: Component[];
  timeoutMs: number;
  pollMs?: number;
}

export type WaitOutcome = { ready: true; endpoints: Endpoints } | { ready: false; reason: string };

/** One look at the file: ready, still starting (undefined), or never going to be ready. */
export function checkReady(endpoints: Endpoints | undefined, wanted: Component[]): WaitOutcome | undefined {
  if (!endpoints) return undefined;
  if (!processAlive(endpoints.pid)) return { ready: false, reason: `kubernaut up (pid ${endpoints.pid}) is not running` };
  const running = COMPONENTS.filter((c) => c in endpoints.ready);
  const missing = wanted.filter((c) => !running.includes(c));
  if (missing.length) return { ready: false, reason: `this stack does not run ${missing.map((c) => COMPONENT_FLAGS[c]).join(', ')}` };
  const pending = (wanted.length ? wanted : running).filter((c) => !endpoints.ready[c]);
  return pending.length ? undefined : { ready: true, endpoints };
}

export async function waitForStack(opts: WaitOptions): Promise<WaitOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const outcome = checkReady(readEndpoints(opts.dataDir), opts.for);
    if (outcome) return outcome;
    if (Date.now() >= deadline) {
      const endpoints = readEndpoints(opts.dataDir);
      const pending = endpoints ? Object.entries(endpoints.ready).filter(([, r]) => !r).map(([c]) => COMPONENT_FLAGS[c as Component]) : [];
      return { ready: false, reason: endpoints ? `timed out waiting for ${pending.join(', ')}` : `timed out: no kubernaut up is running on ${opts.dataDir}` };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  }
}

export async function runWait(opts: WaitOptions): Promise<void> {
  const outcome = await waitForStack(opts);
  if (!outcome.ready) {
    process.stderr.write(`kubernaut wait: ${outcome.reason}\n`);
    process.exitCode = 1;
    return;
  }
  const ready = Object.entries(outcome.endpoints.ready).filter(([, r]) => r).map(([c]) => COMPONENT_FLAGS[c as Component]);
  process.stdout.write(`ready: ${ready.join(', ')}\n`);
}
