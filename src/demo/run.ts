/**
 * `kubernaut demo <scenario>`: starts its own time-scaled stack, deploys the scenario's workload,
 * injects the fault, follows the pipeline on a live timeline (approving on the person's behalf
 * unless --interactive), then checks every acceptance criterion and says which held.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { decideApproval } from '../remediation/orchestrator/approval-decision.ts';
import { isTerminalRemediationPhase } from '../api/v1alpha1/index.ts';
import { SCRAPE_AND_EVALUATION_MS, waitForAlertQuiet } from './alert-quiet.ts';
import { PipelineFollower } from './follow.ts';
import { auditTrail, alertTiming, verifyAuditChain, type AuditEventSummary } from './evidence.ts';
import { Reporter, type Output } from './reporter.ts';
import type { Check, DemoContext, DemoScenario } from './scenario.ts';
import { startDemoStack, type DemoStack } from './stack.ts';
import { seconds, type TimelineEntry } from './timeline.ts';
import { formatCheck, REQUIRED_AUDIT_EVENTS, sharedChecks, verdictExitCode, type RunFacts } from './verdict.ts';

export const DEMO_APPROVER = 'kubernaut-demo (auto-approval)';
const WORKFLOW_NAMESPACE = 'kubernaut-workflows';

export interface DemoOptions {
  scenario: DemoScenario;
  dataDir: string;
  timeScale: number;
  interactive: boolean;
  keep: boolean;
  /** Real ms for the whole run (stack start to verdict). */
  timeoutMs: number;
  out?: Output;
  /** Aborts the run (Ctrl-C). */
  signal: AbortSignal;
}

export interface DemoResult {
  exitCode: number;
  checks: Check[];
  rrName?: string;
  /** Real ms of each step of the demo. */
  durations: Record<string, number>;
  auditEvents: AuditEventSummary[];
  /** AIAnalysis status.investigationUsage.latencyMs (the LLM's share). */
  llmLatencyMs?: number;
  /** The RR and its children as last seen (RR, SP, AA, RAR, WE, EA). */
  objects: Record<string, any>;
  stack?: DemoStack;
}

class DemoTimeout extends Error {}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const out = new Reporter(opts.out);
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const durations: Record<string, number> = {};
  const result: DemoResult = { exitCode: 1, checks: [], durations, auditEvents: [], objects: {} };
  const { scenario } = opts;
  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const overall = setTimeout(() => abort.abort(new DemoTimeout('timeout')), opts.timeoutMs);
  const signal = abort.signal;
  const demoEntry = (text: string, detail = false) => out.entry({ at: new Date(), subject: 'demo', text, detail });
  let stack: DemoStack | undefined;
  let follower: PipelineFollower | undefined;
  let waitingFor = 'the stack to start';
  const step = async <T>(name: string, waiting: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    waitingFor = waiting;
    const done = out.waitFor(waiting);
    try {
      return await work();
    } finally {
      done();
      durations[name] = Date.now() - t0;
    }
  };

  try {
    out.line(`Kubernaut demo: ${scenario.title}`);
    out.line(`time scale ${opts.timeScale}${opts.timeScale === 1 ? ' (real time)' : ` (Kubernaut's waiting times ÷ ${opts.timeScale}: the alert's for ${seconds(scenario.expected.alertForMs)} becomes ${seconds(scenario.expected.alertForMs / opts.timeScale)})`}; data dir ${opts.dataDir}`);

    out.heading('1. Start the embedded stack');
    stack = await step('stack', 'the stack to be ready', () =>
      startDemoStack(
        { dataDir: opts.dataDir, timeScale: opts.timeScale, kubeletDelays: scenario.stack?.kubeletDelays, nodes: scenario.stack?.nodes, upArgs: scenario.stack?.upArgs, readyTimeoutMs: Math.max(30_000, Math.min(180_000, deadline - Date.now())) },
        (l) => demoEntry(l),
        signal,
      ),
    );
    result.stack = stack;
    demoEntry(stack.command, true);
    for (const name of ['api-server', 'console', 'prometheus', 'gateway', 'datastorage']) if (stack.endpoints[name]) demoEntry(`${name.padEnd(12)} ${stack.endpoints[name]}`, true);
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    const ctx: DemoContext = {
      kubeconfig: kc,
      kubeconfigPath: stack.kubeconfigPath,
      dataDir: opts.dataDir,
      endpoints: stack.endpoints,
      timeScale: opts.timeScale,
      say: (line) => demoEntry(line, true),
      signal,
    };

    out.heading(`2. Deploy the workload (${scenario.namespace})`);
    await step('deploy', 'the workload to be deployed and healthy', () => scenario.deploy(ctx));
    if (scenario.baseline) for (const l of await scenario.baseline(ctx)) demoEntry(`baseline: ${l}`);

    if (stack.endpoints.prometheus) {
      const quietMs = SCRAPE_AND_EVALUATION_MS / opts.timeScale;
      await step('quiet', `the alerting to see the healthy workload (${scenario.expected.signalName} inactive for ${seconds(quietMs)})`, () =>
        waitForAlertQuiet({ prometheusUrl: stack!.endpoints.prometheus, alertName: scenario.expected.signalName, namespace: scenario.namespace, quietMs, signal }),
      );
    }

    follower = new PipelineFollower({
      kc,
      namespace: scenario.namespace,
      workflowNamespace: WORKFLOW_NAMESPACE,
      prometheusUrl: stack.endpoints.prometheus,
      signalName: scenario.expected.signalName,
      emit: (e: TimelineEntry) => out.entry(e),
    });
    await follower.start(Date.now());

    out.heading('3. Inject the fault');
    out.injectedAt = new Date();
    await step('inject', 'the fault to take effect', () => scenario.inject(ctx));

    out.heading('4. Kubernaut remediates (live timeline)');
    const injectedAt = out.injectedAt.getTime();
    await step('pipeline', 'the alert', () => followPipeline(follower!, ctx, scenario, opts, out, (w) => (waitingFor = w)));
    durations.injectionToEnd = Date.now() - injectedAt;
    const f = follower;
    const rrName = f.rrName!;
    result.rrName = rrName;
    const aa = f.latest.get('AA');
    result.llmLatencyMs = aa?.status?.investigationUsage?.latencyMs;
    result.objects = Object.fromEntries(f.latest);
    if (f.jobLog.length === 0) demoEntry('(the Job\'s log could not be read before the Job was cleaned up)');

    out.heading('5. Verify');
    const facts = await step('evidence', 'the audit trail and the alert history', () => gatherFacts(stack!, scenario, opts, f, started));
    result.auditEvents = facts.events;
    const scenarioChecks = await step('verify', `${scenario.name}'s own checks`, () => scenario.verify(ctx, rrName));
    result.checks = [...sharedChecks(facts.facts), ...scenarioChecks];
  } catch (e) {
    const reason = signal.reason;
    if (reason instanceof DemoTimeout || (signal.aborted && !opts.signal.aborted)) {
      result.checks.push({ name: `finished within the timeout (${seconds(opts.timeoutMs)})`, ok: false, detail: `still waiting for ${waitingFor}${follower ? `; ${describeProgress(follower)}` : ''}` });
    } else if (opts.signal.aborted) {
      result.checks.push({ name: 'not interrupted', ok: false, detail: 'interrupted (Ctrl-C)' });
      result.exitCode = 130;
    } else {
      result.checks.push({ name: 'the demo ran to the end', ok: false, detail: (e as Error).message });
    }
  } finally {
    clearTimeout(overall);
    opts.signal.removeEventListener('abort', onAbort);
    await follower?.stop().catch(() => undefined);
    out.close();
  }

  for (const c of result.checks) out.line(formatCheck(c));
  const total = Date.now() - started;
  durations.total = total;
  const parts = ['stack', 'deploy', 'inject', 'pipeline', 'verify'].filter((k) => durations[k] !== undefined).map((k) => `${k} ${seconds(durations[k])}`);
  out.line(`\ntotal ${seconds(total)} (${parts.join(', ')})${durations.injectionToEnd !== undefined ? `; fault injected → remediation ended in ${seconds(durations.injectionToEnd)}` : ''}`);
  if (result.exitCode !== 130) result.exitCode = verdictExitCode(result.checks);
  if (result.exitCode === 130) out.line('INTERRUPTED');
  else out.line(result.exitCode === 0 ? `PASSED: every criterion holds` : `FAILED: ${result.checks.filter((c) => !c.ok).length} of ${result.checks.length} criteria did not hold${stack ? ` (logs: ${opts.dataDir}/logs)` : ''}`);

  if (stack && opts.keep && result.exitCode !== 130 && !opts.signal.aborted) {
    out.line(`\nThe stack keeps running (Ctrl-C stops it). To explore:`);
    out.line(`  export KUBECONFIG=${stack.kubeconfigPath}`);
    out.line(`  npx kubernaut watch -n ${scenario.namespace}`);
    if (stack.endpoints.console) out.line(`  open ${stack.endpoints.console} (the console; sign in to decide: ${stack.endpoints['console-sign-in'] ?? 'see endpoints'})`);
    out.line(`  kubectl get rr,sp,aa,we,ea -n ${scenario.namespace}`);
    out.line(`  npx kubernaut endpoints --data-dir ${opts.dataDir}`);
    await Promise.race([new Promise((r) => opts.signal.addEventListener('abort', r, { once: true })), stack.exited]);
  }
  if (stack) {
    out.line('stopping the stack ...');
    await stack.stop();
  }
  return result;
}

/** Waits for the RR to end, approving (or telling the person how to) when it asks. */
async function followPipeline(f: PipelineFollower, ctx: DemoContext, scenario: DemoScenario, opts: DemoOptions, out: Reporter, setWaiting: (w: string) => void): Promise<void> {
  const say = (text: string, subject = 'demo') => out.entry({ at: new Date(), subject, text });
  let approvalHandled = false;
  let currentWait = '';
  let done: (() => void) | undefined;
  const forText = `${seconds(scenario.expected.alertForMs / opts.timeScale)} for its for window`;
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
    const rr = f.latest.get('RR');
    const phase = rr?.status?.overallPhase as string | undefined;
    if (rr && isTerminalRemediationPhase(phase)) break;
    const rar = f.latest.get('RAR');
    if (phase === 'AwaitingApproval' && rar && !rar.status?.decision && !approvalHandled) {
      approvalHandled = true;
      const rrName = f.rrName!;
      if (opts.interactive) {
        say(`approval needed: decide before ${new Date(rar.spec?.requiredBy).toLocaleTimeString()} with one of`, 'RAR');
        say(`  npx kubernaut approve ${rrName} -n ${scenario.namespace}      (or: kubectl kubernaut approve ${rrName} -n ${scenario.namespace})`, 'RAR');
        say(`  npx kubernaut reject ${rrName} -n ${scenario.namespace} -m "why"`, 'RAR');
        say(`  (KUBECONFIG=${ctx.kubeconfigPath})`, 'RAR');
        if (ctx.endpoints.console) {
          say(`  or in the console: ${ctx.endpoints.console}/approvals`, 'RAR');
          if (ctx.endpoints['console-sign-in']) say(`  (sign in to decide: ${ctx.endpoints['console-sign-in']})`, 'RAR');
        }
      } else {
        say('auto-approved by the demo (use --interactive to decide yourself)', 'RAR');
        await decideApproval(ctx.kubeconfig, { rr: rrName, namespace: scenario.namespace, decision: 'Approved', decidedBy: DEMO_APPROVER, message: 'approved automatically by `kubernaut demo`' });
      }
    }
    if (!approvalHandled && !rar && (phase === 'Executing' || phase === 'Verifying')) {
      approvalHandled = true;
      say('no approval needed: the approval policy let the workflow run', 'RAR');
    }
    const firing = f.alertSightings.some((a) => a.state === 'firing');
    const pending = f.alertSightings.at(-1)?.state === 'pending';
    const wait = !rr
      ? firing
        ? 'the Gateway to create the RemediationRequest'
        : pending
          ? `the alert to fire (pending, ${forText})`
          : 'the alert to go pending'
      : phase === 'AwaitingApproval' && opts.interactive && !rar?.status?.decision
        ? 'your decision (approve or reject)'
        : `the RemediationRequest (${phase ?? 'Pending'})`;
    if (wait !== currentWait) {
      done?.();
      done = out.waitFor(wait);
      setWaiting(wait);
      currentWait = wait;
    }
    await new Promise<void>((resolve) => {
      const off = f.onChange(() => {
        off();
        clearTimeout(t);
        resolve();
      });
      const t = setTimeout(() => {
        off();
        resolve();
      }, 250);
    });
  }
  done?.();
}

function describeProgress(f: PipelineFollower): string {
  if (!f.rrName) return `no RemediationRequest yet; alert ${f.alertSightings.at(-1)?.state ?? 'never seen'}`;
  const phases = [...f.latest.entries()].map(([k, o]) => `${k} ${k === 'RR' ? o.status?.overallPhase : k === 'RAR' ? o.status?.decision || 'undecided' : o.status?.phase}`);
  return phases.join(', ');
}

/** Everything the shared checks read, once the RR has ended. */
async function gatherFacts(stack: DemoStack, scenario: DemoScenario, opts: DemoOptions, f: PipelineFollower, started: number): Promise<{ facts: RunFacts; events: AuditEventSummary[] }> {
  const rrName = f.rrName!;
  const firing = f.alertSightings.find((a) => a.state === 'firing');
  const alert = stack.endpoints.prometheus ? await alertTiming(stack.endpoints.prometheus, scenario.expected.signalName, Date.now() - started + 60_000, firing?.activeAt) : { source: 'no Prometheus API' };
  let events: AuditEventSummary[] = [];
  let auditError: string | undefined;
  const ds = stack.endpoints.datastorage;
  if (!ds) auditError = 'the stack runs no DataStorage';
  else {
    // Audit events are sent in batches: give the last ones (the RR's completion) a moment to land.
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        events = await auditTrail(ds, rrName);
        auditError = undefined;
      } catch (e) {
        auditError = (e as Error).message;
      }
      const seen = new Set(events.map((e) => e.eventType));
      if ((!auditError && REQUIRED_AUDIT_EVENTS.every((r) => seen.has(r.eventType))) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const chain = ds ? await verifyAuditChain(ds) : { error: 'no DataStorage' };
  return {
    events,
    facts: {
      expected: scenario.expected,
      timeScale: opts.timeScale,
      alert,
      rrName,
      rr: f.latest.get('RR'),
      aa: f.latest.get('AA'),
      we: f.latest.get('WE'),
      ea: f.latest.get('EA'),
      auditEventTypes: events.map((e) => e.eventType),
      auditError,
      chain,
    },
  };
}
