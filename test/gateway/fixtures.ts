/**
 * Shared set-up of the Gateway tests: the real `kubernaut up --ephemeral` with Kubernaut's CRDs and
 * the reference manifests, a Gateway started against its kubeconfig, an audit sink that collects
 * events, and builders for the reference Alertmanager payload.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { installKubernautCrds } from '../../src/api/install.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import type { AuditEventInput, AuditSink } from '../../src/gateway/audit.ts';
import { auditEventSchema } from '../../src/datastorage/client/audit-event.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway/server.ts';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

export const SCENARIO = `${ROOT}deploy/demo/scenarios/statefulset-pvc-failure/manifests`;

/** Collects events, each checked against the DataStorage wire schema (complete, strict). */
export class CollectingAuditSink implements AuditSink {
  readonly events: AuditEventInput[] = [];
  record(event: AuditEventInput): void {
    this.events.push(auditEventSchema.parse(event));
  }
  ofType(type: string): AuditEventInput[] {
    return this.events.filter((e) => e.eventType === type);
  }
}

export interface GatewayEnv {
  kubernaut: RunningKubernaut;
  kc: KubeConfig;
  clock: ScaledClock;
  startGateway(opts?: Partial<GatewayOptions>): Promise<RunningGateway>;
  stop(): Promise<void>;
}

/**
 * The embedded cluster with CRDs installed and the reference namespace + StatefulSet applied. The
 * remediation controllers and the investigator stay off: they would carry the RRs these tests
 * create on to a result (e.g. NoActionRequired), which changes how the Gateway deduplicates.
 */
export async function startGatewayEnv(opts: { args?: string[] } = {}): Promise<GatewayEnv> {
  const kubernaut = await startKubernaut({ args: ['--ephemeral', '--kubelet-delays', '0', '--no-controllers', '--no-investigator', ...(opts.args ?? [])] });
  const gateways: RunningGateway[] = [];
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubernaut.kubeconfig);
    const clock = new ScaledClock(1);
    await installKubernautCrds(kc, { clock });
    kubernaut.kubectlOk(['apply', '-f', `${SCENARIO}/namespace.yaml`, '-f', `${SCENARIO}/statefulset.yaml`]);
    return {
      kubernaut,
      kc,
      clock,
      async startGateway(opts = {}) {
        const gw = await startGateway({ kubeconfig: kc, clock, ...opts });
        gateways.push(gw);
        return gw;
      },
      async stop() {
        await Promise.all(gateways.map((g) => g.close()));
        await kubernaut.stop();
      },
    };
  } catch (err) {
    await kubernaut.stop();
    throw err;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The fingerprint crds.md documents for kv-store. */
export const KV_STORE_FINGERPRINT = sha256('demo-statefulset:StatefulSet:kv-store');

/** One alert as Alertmanager sends it: kube-state-metrics' own scrape labels included. */
export function alert(labels: Record<string, string>, opts: { status?: 'firing' | 'resolved'; startsAt?: string } = {}) {
  return {
    status: opts.status ?? 'firing',
    labels: {
      severity: 'critical',
      pod: 'kube-state-metrics-6d8f9b7c4-x2x9z',
      service: 'kube-state-metrics',
      instance: '10.244.0.5:8080',
      job: 'kube-state-metrics',
      container: 'kube-state-metrics',
      ...labels,
    },
    annotations: { summary: 'StatefulSet kv-store has 2 ready replicas vs desired.' },
    startsAt: opts.startsAt ?? new Date(Date.now() - 180_000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=kube_statefulset_status_replicas_ready',
    fingerprint: '1a2b3c4d5e6f7a8b',
  };
}

export const REFERENCE_LABELS = { alertname: 'KubernautStatefulSetReplicasMismatch', statefulset: 'kv-store', namespace: 'demo-statefulset' };

export function webhook(alerts: unknown[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname="KubernautStatefulSetReplicasMismatch"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
