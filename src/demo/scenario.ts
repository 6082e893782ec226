/**
 * What a demo scenario is to `kubernaut demo <name>`: a workload deployed healthy, a fault injected
 * as a person (or a failing node) would cause it, the remediation Kubernaut is expected to choose,
 * and the checks that prove the workload healed. The demo runner (run.ts) owns the stack, the
 * timeline, the approval and the checks every scenario shares (alert, RR outcome, workflow, EA,
 * audit trail); a scenario brings only what is its own.
 */
import type { KubeConfig } from '@kubernetes/client-node';

/** One acceptance criterion, as the demo prints it and decides its exit code from it. */
export interface Check {
  name: string;
  ok: boolean;
  /** What was seen, shown next to the criterion (especially when it failed). */
  detail?: string;
}

/** What a scenario gets to work with: the stack the demo started, reached like any cluster. */
export interface DemoContext {
  /** client-node configuration of the stack's API server. */
  kubeconfig: KubeConfig;
  /** The same as a file, for kubectl and the scenario's shell scripts (KUBECONFIG). */
  kubeconfigPath: string;
  /** Data dir of the `kubernaut up` the demo runs (endpoints.json, logs). */
  dataDir: string;
  /** Component URLs of that stack, by the names `kubernaut endpoints` prints (`prometheus`, `gateway`, `datastorage`, ...). */
  endpoints: Record<string, string>;
  /** The stack's time scale (1 with --realtime). */
  timeScale: number;
  /** Narration: one line of the live timeline. */
  say(line: string): void;
  /** Aborted when the demo is interrupted or times out. */
  signal: AbortSignal;
}

/** How the demo's `kubernaut up` must be started for this scenario. */
export interface StackRequirements {
  /** Simulated nodes (default 1). */
  nodes?: number;
  /** `--kubelet-delays` value (default: up's own). */
  kubeletDelays?: string;
  /** Any further `kubernaut up` arguments. */
  upArgs?: string[];
  /**
   * The highest default time scale the scenario heals under: a workflow that waits in real time
   * (kubectl drain) inside a deadline the scale shortens needs a lower one. --time-scale overrides.
   */
  maxTimeScale?: number;
}

/** What Kubernaut is expected to do about the fault. */
export interface ExpectedRemediation {
  /** The alert the scenario's rule fires (its `alertname`). */
  signalName: string;
  /** `for:` of that rule in real-time milliseconds (the demo checks the alert waited for it, scaled). */
  alertForMs: number;
  /** The workflow the AIAnalysis must select. */
  workflowId: string;
  /** The resource the remediation acts on (the AIAnalysis' affected resource / the WE target). */
  target: { kind: string; name: string; namespace?: string };
  /** Detected labels the enrichment must report (e.g. `{ stateful: true }`). */
  detectedLabels?: Record<string, boolean | string>;
}

export interface DemoScenario {
  /** The name given to `kubernaut demo` (e.g. `statefulset-pvc-failure`). */
  name: string;
  title: string;
  /** The namespace the workload (and its RemediationRequests) live in. */
  namespace: string;
  stack?: StackRequirements;
  expected: ExpectedRemediation;
  /** Deploys the workload and its alert rule; resolves once the workload is healthy. */
  deploy(ctx: DemoContext): Promise<void>;
  /** Records the healthy state before the fault (lines for the timeline); optional. */
  baseline?(ctx: DemoContext): Promise<string[]>;
  /** Injects the fault; resolves once its effect is visible (e.g. the pod stays Pending). */
  inject(ctx: DemoContext): Promise<void>;
  /** The scenario's own acceptance checks once the RemediationRequest `rr` has ended. */
  verify(ctx: DemoContext, rr: string): Promise<Check[]>;
  /** Removes everything the scenario created (so a second run starts clean). */
  cleanup(ctx: DemoContext): Promise<void>;
}
