/**
 * Rule-evaluation figures of the embedded alerting, in-process (the evaluator alone, without the
 * rest of `kubernaut up` sharing the CPU): 1,000 rules in 50 groups of 20 over 100,000 series.
 *
 * - Series: a synthetic cluster shaped like what Prometheus scrapes there: kube-state-metrics
 *   (pods, containers, deployments, statefulsets, nodes), cAdvisor (per container), node-exporter
 *   (per node) and an instrumented app in every pod (requests by method/code, a latency histogram,
 *   process metrics); counters and gauges, about 40 metric names. A few workloads misbehave (the
 *   reference kv-store StatefulSet with 2 of 3 replicas ready, crash-looping pods, erroring apps, a
 *   filling disk) so some rules fire.
 * - History: every target scraped every 30 s for 30 minutes (60 samples a series, retention 30 m),
 *   committed through `MemorySeriesStore.commitScrape` one target at a time, as the Scraper would.
 * - Rules: PrometheusRule objects loaded with `loadPrometheusRule`, run by `RuleGroup` at explicit
 *   evaluation times 30 s apart, each round after one more scrape of every target; the rules'
 *   samples (recorded series, ALERTS) go back into the store, as Prometheus does.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RuleStorage } from '../src/alerting/embedded/rule-storage.ts';
import { loadPrometheusRule, RuleGroup, type Rule } from '../src/alerting/rules/index.ts';
import { MemorySeriesStore, type Labels, type ScrapedSample } from '../src/alerting/tsdb/index.ts';
import { ScaledClock } from '../src/platform/clock.ts';

const SERIES = 100_000;
const SCRAPE_INTERVAL_MS = 30_000;
const HISTORY_MS = 30 * 60_000;
const ROUNDS = 10;
const GROUPS = 50;
const RULES_PER_GROUP = 20;
const NODES = 20;
const DEPLOYMENTS_PER_NS = 6;
const REPLICAS = 3;
const CONTAINERS = ['main', 'sidecar'];
const START_MS = Date.parse('2026-11-26T12:00:00Z');

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
/** CPU time this process has used (all threads, GC included), in ms: unlike wall time, not inflated when other processes share the cores. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Deterministic pseudo-random numbers, so every run measures the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(42);

// ---------------------------------------------------------------- the synthetic cluster

/** How a series' value moves from one scrape to the next. */
type Motion =
  | { kind: 'const'; value: number }
  /** a counter growing by about `rate` per second (0 = never moves) */
  | { kind: 'counter'; rate: number }
  /** a gauge wandering around `level` by up to `spread` (fraction) */
  | { kind: 'gauge'; level: number; spread: number }
  /** a gauge sliding from `level` by `slope` per second (a filling disk, a leak) */
  | { kind: 'trend'; level: number; slope: number };

interface SyntheticSeries {
  labels: Labels;
  motion: Motion;
}

interface Target {
  key: string;
  series: SyntheticSeries[];
}

class ClusterBuilder {
  readonly targets = new Map<string, Target>();
  count = 0;

  add(target: string, labels: Labels, motion: Motion): void {
    if (this.count >= SERIES) return; // the last namespace is cut where the 100,000th series falls
    let t = this.targets.get(target);
    if (!t) this.targets.set(target, (t = { key: target, series: [] }));
    t.series.push({ labels, motion });
    this.count++;
  }
}

const KSM = { job: 'kube-state-metrics', instance: '10.96.0.20:8080' };
const gauge = (level: number, spread = 0.1): Motion => ({ kind: 'gauge', level, spread });
const counter = (rate: number): Motion => ({ kind: 'counter', rate });
const constant = (value: number): Motion => ({ kind: 'const', value });

function addNodes(b: ClusterBuilder): void {
  for (let n = 0; n < NODES; n++) {
    const node = `node-${String(n).padStart(2, '0')}`;
    const ne = `node-exporter/${node}`;
    const neLabels = { job: 'node-exporter', instance: `${node}:9100`, node };
    b.add(ne, { __name__: 'up', ...neLabels }, constant(1));
    for (let cpu = 0; cpu < 4; cpu++) {
      for (const mode of ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice']) {
        const busy = n === 3 ? 0.97 : 0.35; // node-03 is saturated
        b.add(ne, { __name__: 'node_cpu_seconds_total', ...neLabels, cpu: String(cpu), mode }, counter(mode === 'idle' ? 1 - busy : busy / 7));
      }
    }
    b.add(ne, { __name__: 'node_memory_MemTotal_bytes', ...neLabels }, constant(64e9));
    b.add(ne, { __name__: 'node_memory_MemAvailable_bytes', ...neLabels }, gauge(24e9, 0.2));
    b.add(ne, { __name__: 'node_load1', ...neLabels }, gauge(2.5, 0.5));
    for (const [mountpoint, device, fstype] of [['/', '/dev/sda1', 'ext4'], ['/var/lib/kubelet', '/dev/sdb1', 'xfs'], ['/run', 'tmpfs', 'tmpfs']]) {
      const fs = { ...neLabels, device, fstype, mountpoint };
      b.add(ne, { __name__: 'node_filesystem_size_bytes', ...fs }, constant(500e9));
      // node-07's kubelet disk fills at 40 MB/s: full within hours
      const filling = n === 7 && mountpoint === '/var/lib/kubelet';
      b.add(ne, { __name__: 'node_filesystem_avail_bytes', ...fs }, filling ? { kind: 'trend', level: 120e9, slope: -40e6 } : gauge(300e9, 0.01));
    }
    const kubelet = `kubelet/${node}`;
    b.add(kubelet, { __name__: 'up', job: 'kubelet', instance: `${node}:10250`, node, metrics_path: '/metrics/cadvisor' }, constant(1));
    for (const condition of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      for (const status of ['true', 'false', 'unknown']) {
        const on = condition === 'Ready' ? status === 'true' : status === 'false';
        b.add('ksm', { __name__: 'kube_node_status_condition', ...KSM, node, condition, status }, constant(on ? 1 : 0));
      }
    }
    for (const [resource, v] of [['cpu', 16], ['memory', 64e9], ['pods', 110]] as const) {
      b.add('ksm', { __name__: 'kube_node_status_allocatable', ...KSM, node, resource, unit: resource === 'memory' ? 'byte' : resource === 'cpu' ? 'core' : 'integer' }, constant(v));
    }
  }
  b.add('ksm', { __name__: 'up', ...KSM }, constant(1));
}

let podSeq = 0;

function addPod(b: ClusterBuilder, namespace: string, owner: { kind: 'Deployment' | 'StatefulSet'; name: string }, pod: string, faulty: { crashloop: boolean; errors: boolean; notReady: boolean }): void {
  const seq = podSeq++;
  const node = `node-${String(seq % NODES).padStart(2, '0')}`;
  const podIP = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;
  const ksm = { ...KSM, namespace, pod };
  b.add('ksm', { __name__: 'kube_pod_info', ...ksm, node, pod_ip: podIP, host_ip: `192.168.0.${seq % NODES}`, created_by_kind: owner.kind === 'Deployment' ? 'ReplicaSet' : 'StatefulSet', created_by_name: owner.name, uid: `uid-${seq}` }, constant(1));
  for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
    b.add('ksm', { __name__: 'kube_pod_status_phase', ...ksm, phase }, constant(phase === 'Running' ? 1 : 0));
  }
  for (const condition of ['true', 'false', 'unknown']) {
    const value = condition === (faulty.notReady ? 'false' : 'true') ? 1 : 0;
    b.add('ksm', { __name__: 'kube_pod_status_ready', ...ksm, condition }, constant(value));
  }
  for (const container of CONTAINERS) {
    const c = { ...ksm, container };
    const crashing = faulty.crashloop && container === 'main';
    b.add('ksm', { __name__: 'kube_pod_container_status_restarts_total', ...c }, counter(crashing ? 1 / 150 : 0));
    b.add('ksm', { __name__: 'kube_pod_container_status_ready', ...c }, constant(crashing || faulty.notReady ? 0 : 1));
    for (const reason of ['ContainerCreating', 'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff']) {
      b.add('ksm', { __name__: 'kube_pod_container_status_waiting_reason', ...c, reason }, constant(crashing && reason === 'CrashLoopBackOff' ? 1 : 0));
    }
    const memLimit = container === 'main' ? 512e6 : 128e6;
    for (const [resource, unit, request, limit] of [['cpu', 'core', 0.25, 1], ['memory', 'byte', memLimit / 2, memLimit]] as const) {
      b.add('ksm', { __name__: 'kube_pod_container_resource_requests', ...c, resource, unit }, constant(request));
      b.add('ksm', { __name__: 'kube_pod_container_resource_limits', ...c, resource, unit }, constant(limit));
    }
    const cadvisor = { job: 'kubelet', instance: `${node}:10250`, metrics_path: '/metrics/cadvisor', node, namespace, pod, container, image: `registry.example/${owner.name}-${container}:1.4.2`, id: `/kubepods/burstable/pod${seq}/${container}` };
    const kubelet = `kubelet/${node}`;
    const cpuRate = 0.05 + random() * (seq % 97 === 0 ? 2 : 0.4);
    b.add(kubelet, { __name__: 'container_cpu_usage_seconds_total', ...cadvisor }, counter(cpuRate));
    b.add(kubelet, { __name__: 'container_cpu_cfs_periods_total', ...cadvisor }, counter(10));
    b.add(kubelet, { __name__: 'container_cpu_cfs_throttled_periods_total', ...cadvisor }, counter(seq % 53 === 0 ? 4 : 0.1));
    const nearLimit = seq % 61 === 0 && container === 'main';
    b.add(kubelet, { __name__: 'container_memory_working_set_bytes', ...cadvisor }, gauge(memLimit * (nearLimit ? 0.96 : 0.4), 0.02));
    b.add(kubelet, { __name__: 'container_memory_rss', ...cadvisor }, gauge(memLimit * 0.3, 0.05));
    b.add(kubelet, { __name__: 'container_fs_usage_bytes', ...cadvisor }, gauge(50e6, 0.01));
  }
  const net = { job: 'kubelet', instance: `${node}:10250`, metrics_path: '/metrics/cadvisor', node, namespace, pod, interface: 'eth0' };
  b.add(`kubelet/${node}`, { __name__: 'container_network_receive_bytes_total', ...net }, counter(2e5 * random()));
  b.add(`kubelet/${node}`, { __name__: 'container_network_transmit_bytes_total', ...net }, counter(1e5 * random()));

  const app = { job: `${namespace}/${owner.name}`, instance: `${podIP}:8080`, namespace, pod, service: owner.name };
  const target = `app/${namespace}/${pod}`;
  b.add(target, { __name__: 'up', ...app }, constant(1));
  const rps = 5 + random() * 20;
  for (const method of ['GET', 'POST']) {
    for (const code of ['200', '404', '500']) {
      const share = code === '200' ? 0.95 : code === '404' ? 0.04 : faulty.errors ? 0.2 : 0.01;
      b.add(target, { __name__: 'http_requests_total', ...app, method, code }, counter(rps * share * (method === 'GET' ? 0.8 : 0.2)));
    }
  }
  const slow = faulty.errors;
  for (const [le, share] of [['0.05', 0.5], ['0.1', 0.7], ['0.25', 0.85], ['0.5', 0.97], ['1', 0.99], ['2.5', 0.998], ['5', 1], ['+Inf', 1]] as const) {
    b.add(target, { __name__: 'http_request_duration_seconds_bucket', ...app, le }, counter(rps * (slow ? share * 0.85 : share)));
  }
  b.add(target, { __name__: 'http_request_duration_seconds_sum', ...app }, counter(rps * 0.08));
  b.add(target, { __name__: 'http_request_duration_seconds_count', ...app }, counter(rps));
  b.add(target, { __name__: 'process_cpu_seconds_total', ...app }, counter(0.05 + random() * 0.3));
  b.add(target, { __name__: 'process_resident_memory_bytes', ...app }, seq % 89 === 0 ? { kind: 'trend', level: 1.5e9, slope: 2e5 } : gauge(180e6, 0.05));
  b.add(target, { __name__: 'process_open_fds', ...app }, gauge(40, 0.2));
  b.add(target, { __name__: 'go_goroutines', ...app }, gauge(60, 0.3));
  b.add(target, { __name__: 'app_queue_depth', ...app }, gauge(seq % 71 === 0 ? 400 : 10, 0.5));
  for (const status of ['ok', 'failed']) b.add(target, { __name__: 'app_jobs_processed_total', ...app, status }, counter(status === 'ok' ? 3 : 0.02));
}

function addNamespace(b: ClusterBuilder, namespace: string, index: number): void {
  const ksm = { ...KSM, namespace };
  for (let d = 0; d < DEPLOYMENTS_PER_NS; d++) {
    const deployment = `app-${d}`;
    const degraded = (index * DEPLOYMENTS_PER_NS + d) % 37 === 5; // one replica unavailable
    const dl = { ...ksm, deployment };
    b.add('ksm', { __name__: 'kube_deployment_spec_replicas', ...dl }, constant(REPLICAS));
    b.add('ksm', { __name__: 'kube_deployment_status_replicas', ...dl }, constant(REPLICAS));
    b.add('ksm', { __name__: 'kube_deployment_status_replicas_available', ...dl }, constant(degraded ? REPLICAS - 1 : REPLICAS));
    b.add('ksm', { __name__: 'kube_deployment_status_replicas_updated', ...dl }, constant(REPLICAS));
    for (let r = 0; r < REPLICAS; r++) {
      const pod = `${deployment}-7d9f8c6b5-${(index * 1000 + d * 10 + r).toString(36).padStart(5, 'x')}`;
      const h = index * 31 + d * 7 + r;
      addPod(b, namespace, { kind: 'Deployment', name: deployment }, pod, { crashloop: h % 43 === 0, errors: h % 29 === 0, notReady: degraded && r === 0 });
    }
  }
  // The reference scenario: kv-store in demo-statefulset has 2 of its 3 replicas ready.
  const sts = namespace === 'demo-statefulset' ? 'kv-store' : 'db';
  const broken = sts === 'kv-store';
  const sl = { ...ksm, statefulset: sts };
  b.add('ksm', { __name__: 'kube_statefulset_replicas', ...sl }, constant(REPLICAS));
  b.add('ksm', { __name__: 'kube_statefulset_status_replicas', ...sl }, constant(REPLICAS));
  b.add('ksm', { __name__: 'kube_statefulset_status_replicas_ready', ...sl }, constant(broken ? REPLICAS - 1 : REPLICAS));
  for (let r = 0; r < REPLICAS; r++) {
    addPod(b, namespace, { kind: 'StatefulSet', name: sts }, `${sts}-${r}`, { crashloop: false, errors: false, notReady: broken && r === REPLICAS - 1 });
  }
}

/** Namespaces of the synthetic cluster, the reference one first (so it is never cut off). */
function namespaceName(i: number): string {
  return i === 0 ? 'demo-statefulset' : `team-${String(i).padStart(3, '0')}`;
}

function buildCluster(): { targets: Target[]; namespaces: string[] } {
  const b = new ClusterBuilder();
  addNodes(b);
  const namespaces: string[] = [];
  for (let i = 0; b.count < SERIES; i++) {
    namespaces.push(namespaceName(i));
    addNamespace(b, namespaceName(i), i);
  }
  return { targets: [...b.targets.values()], namespaces };
}

/** Per-series state the scrapes advance (counters accumulate, trends move). */
class Scrapes {
  private readonly current: Float64Array[];
  private readonly rnd = prng(7);

  constructor(private readonly targets: Target[]) {
    this.current = targets.map((t) => Float64Array.from(t.series, (s) => (s.motion.kind === 'const' ? s.motion.value : s.motion.kind === 'counter' ? Math.floor(this.rnd() * 1e4) : s.motion.level)));
  }

  /** One scrape of every target at `tMs` (each target at its own offset within the interval, as Prometheus spreads them). */
  commit(store: MemorySeriesStore, tMs: number): number {
    let stored = 0;
    this.targets.forEach((target, ti) => {
      const values = this.current[ti];
      const samples: ScrapedSample[] = target.series.map((s, i) => {
        const m = s.motion;
        if (m.kind === 'counter') values[i] += m.rate * (SCRAPE_INTERVAL_MS / 1000) * (0.9 + 0.2 * this.rnd());
        else if (m.kind === 'gauge') values[i] = m.level * (1 + m.spread * (2 * this.rnd() - 1));
        else if (m.kind === 'trend') values[i] += m.slope * (SCRAPE_INTERVAL_MS / 1000);
        return { labels: s.labels, value: Math.round(values[i] * 1000) / 1000 };
      });
      stored += store.commitScrape(target.key, samples, tMs - ((ti * 7919) % SCRAPE_INTERVAL_MS));
    });
    return stored;
  }
}

// ---------------------------------------------------------------- the rules

interface Shape {
  name: string;
  /** whether it selects across the whole cluster (else one namespace / one workload) */
  wide: boolean;
  /** how many of the 1,000 rules have this shape */
  count: number;
  rule: (ns: string, i: number) => Record<string, unknown>;
}

const alert = (name: string, expr: string, forDuration = '5m', severity = 'warning') => ({
  alert: name,
  expr,
  for: forDuration,
  labels: { severity },
  annotations: { summary: `${name}: {{ $labels.namespace }}/{{ $labels.pod }} is at {{ $value | humanize }}` },
});
const record = (name: string, expr: string) => ({ record: name, expr });

const SHAPES: Shape[] = [
  // Narrow: a team's rules about its own namespace or workload (most of a large rule set).
  { name: 'a{ns,sts} < b{ns,sts} (reference rule)', wide: false, count: 55, rule: (ns) => {
    const sts = ns === 'demo-statefulset' ? 'kv-store' : 'db';
    return alert('StatefulSetReplicasMismatch', `kube_statefulset_status_replicas_ready{namespace="${ns}", statefulset="${sts}"} < kube_statefulset_status_replicas{namespace="${ns}", statefulset="${sts}"}`, '3m', 'critical');
  } },
  { name: 'sum by (rate 5xx) / sum by (rate) > k', wide: false, count: 55, rule: (ns, i) => alert('HighErrorRatio', `sum by (namespace, service) (rate(http_requests_total{namespace="${ns}", service="app-${i % DEPLOYMENTS_PER_NS}", code=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total{namespace="${ns}", service="app-${i % DEPLOYMENTS_PER_NS}"}[5m])) > 0.05`) },
  { name: 'increase(restarts[10m]) > k', wide: false, count: 50, rule: (ns) => alert('PodRestarting', `increase(kube_pod_container_status_restarts_total{namespace="${ns}"}[10m]) > 2`) },
  { name: 'max_over_time(waiting_reason[5m]) >= 1', wide: false, count: 50, rule: (ns) => alert('PodCrashLooping', `max_over_time(kube_pod_container_status_waiting_reason{namespace="${ns}", reason="CrashLoopBackOff"}[5m]) >= 1`, '2m') },
  { name: 'sum by (...) (gauge) / sum by (...) (limits) > k', wide: false, count: 50, rule: (ns) => alert('ContainerNearMemoryLimit', `sum by (namespace, pod, container) (container_memory_working_set_bytes{namespace="${ns}", container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{namespace="${ns}", resource="memory"}) > 0.9`) },
  { name: '(a > b) and on(ns, deploy) (changes(c[10m]) == 0)', wide: false, count: 50, rule: (ns) => alert('DeploymentReplicasMismatch', `(kube_deployment_spec_replicas{namespace="${ns}"} > kube_deployment_status_replicas_available{namespace="${ns}"}) and on(namespace, deployment) (changes(kube_deployment_status_replicas_updated{namespace="${ns}"}[10m]) == 0)`, '10m') },
  { name: 'avg_over_time(gauge[10m]) > k', wide: false, count: 50, rule: (ns, i) => alert('QueueBacklog', `avg_over_time(app_queue_depth{namespace="${ns}", service="app-${i % DEPLOYMENTS_PER_NS}"}[10m]) > 100`) },
  { name: 'up{ns} == 0', wide: false, count: 50, rule: (ns) => alert('TargetDown', `up{namespace="${ns}"} == 0`, '5m', 'critical') },
  { name: 'absent(up{job})', wide: false, count: 50, rule: (ns, i) => alert('TargetAbsent', `absent(up{job="${ns}/app-${i % DEPLOYMENTS_PER_NS}"})`, '10m') },
  { name: 'a * on(ns, pod) group_left(node) info > 0', wide: false, count: 50, rule: (ns) => alert('PodNotReady', `kube_pod_status_ready{namespace="${ns}", condition="false"} * on(namespace, pod) group_left(node) kube_pod_info{namespace="${ns}"} > 0`, '5m') },
  { name: 'sum by (rate bucket{le}) / sum by (rate count) < k', wide: false, count: 50, rule: (ns, i) => alert('LatencySLOBreach', `sum by (namespace, service) (rate(http_request_duration_seconds_bucket{namespace="${ns}", service="app-${i % DEPLOYMENTS_PER_NS}", le="0.5"}[5m])) / sum by (namespace, service) (rate(http_request_duration_seconds_count{namespace="${ns}", service="app-${i % DEPLOYMENTS_PER_NS}"}[5m])) < 0.95`) },
  { name: 'sum by (increase throttled) / sum by (increase periods) > k', wide: false, count: 50, rule: (ns) => alert('CPUThrottlingHigh', `sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{namespace="${ns}"}[5m])) / sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total{namespace="${ns}"}[5m])) > 0.25`, '15m', 'info') },
  { name: 'record: sum by (ns, svc, code) (rate(x[5m]))', wide: false, count: 50, rule: (ns) => record('namespace_service_code:http_requests:rate5m', `sum by (namespace, service, code) (rate(http_requests_total{namespace="${ns}"}[5m]))`) },
  { name: 'rate(x{pod=~"re"}[5m]) > k', wide: false, count: 50, rule: (ns, i) => alert('ProcessCPUHigh', `rate(process_cpu_seconds_total{namespace="${ns}", pod=~"app-${i % DEPLOYMENTS_PER_NS}-.*"}[5m]) > 0.8`) },
  { name: 'sum by (ns, pod) (phase{phase=~"re"}) > 0', wide: false, count: 50, rule: (ns) => alert('PodNotHealthy', `sum by (namespace, pod) (kube_pod_status_phase{namespace="${ns}", phase=~"Pending|Unknown|Failed"}) > 0`, '15m') },
  { name: 'predict_linear(gauge[15m], 3600) > k', wide: false, count: 40, rule: (ns) => alert('MemoryLeak', `predict_linear(process_resident_memory_bytes{namespace="${ns}"}[15m], 3600) > 2e9`, '10m') },
  // Wide: platform rules over the whole cluster.
  { name: 'WIDE sum by (ns) (rate(x{code=~"re"}[5m])) > k', wide: true, count: 20, rule: (_ns, i) => alert('NamespaceErrorRate', `sum by (namespace) (rate(http_requests_total{code=~"5.."}[5m])) > ${1 + (i % 10)}`) },
  { name: 'WIDE sum by (ns, pod) (rate(x{c!="",c!~"re"}[5m])) > k', wide: true, count: 20, rule: (_ns, i) => alert('PodCPUHigh', `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!="", container!~"POD|istio-proxy"}[5m])) > ${1.5 + (i % 10) / 10}`) },
  { name: 'WIDE a < b (all statefulsets)', wide: true, count: 10, rule: () => alert('AnyStatefulSetReplicasMismatch', 'kube_statefulset_status_replicas_ready < kube_statefulset_status_replicas', '3m') },
  { name: 'WIDE a / b < k (node filesystems)', wide: true, count: 20, rule: (_ns, i) => alert('NodeFilesystemAlmostFull', `node_filesystem_avail_bytes{fstype!="tmpfs"} / node_filesystem_size_bytes{fstype!="tmpfs"} < ${0.05 + (i % 10) / 100}`) },
  { name: 'WIDE 1 - avg by (instance) (rate(cpu{mode}[5m])) > k', wide: true, count: 20, rule: (_ns, i) => alert('NodeCPUSaturated', `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) > ${0.8 + (i % 10) / 100}`) },
  { name: 'WIDE count by (ns) (x{ns=~"re"} == 0) > k', wide: true, count: 20, rule: (_ns, i) => alert('NamespaceContainersNotReady', `count by (namespace) (kube_pod_container_status_ready{namespace=~"team-${i % 10}.*"} == 0) > 2`) },
  { name: 'WIDE sum(x) > k and on() count(up == 1) > k', wide: true, count: 20, rule: (_ns, i) => alert('ClusterPendingPods', `sum(kube_pod_status_phase{phase="Pending"}) > ${i % 5} and on() count(up == 1) > 100`) },
  { name: 'WIDE record: sum by (ns) (rate(cpu[5m]))', wide: true, count: 20, rule: () => record('namespace:container_cpu_usage_seconds:sum_rate5m', 'sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))') },
  { name: 'WIDE record: sum by (ns) (gauge)', wide: true, count: 20, rule: () => record('namespace:container_memory_working_set_bytes:sum', 'sum by (namespace) (container_memory_working_set_bytes{container!=""})') },
  { name: 'WIDE increase(restarts[15m]) > k', wide: true, count: 10, rule: (_ns, i) => alert('AnyPodRestarting', `increase(kube_pod_container_status_restarts_total[15m]) > ${3 + (i % 5)}`) },
  { name: 'WIDE predict_linear(fs[30m], 4h) < 0', wide: true, count: 20, rule: () => alert('NodeFilesystemFillingUp', 'predict_linear(node_filesystem_avail_bytes{fstype!="tmpfs"}[30m], 4 * 3600) < 0', '1h') },
];

/** 1,000 rule definitions in groups of 20, as PrometheusRule objects (10 groups each); `shapeOf` maps "group id#index" to its shape. */
function buildRules(namespaces: string[]): { objects: unknown[]; shapeOf: Map<string, string> } {
  const all: Array<{ shape: string; rule: Record<string, unknown> }> = [];
  for (const shape of SHAPES) {
    for (let i = 0; i < shape.count; i++) {
      const ns = namespaces[(i * 7) % namespaces.length];
      all.push({ shape: shape.name, rule: shape.rule(ns, i) });
    }
  }
  if (all.length !== GROUPS * RULES_PER_GROUP) throw new Error(`rule shapes add up to ${all.length}, not ${GROUPS * RULES_PER_GROUP}`);
  // Interleave the shapes, so each group holds a mix like a real team's file.
  const rnd = prng(3);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const objects: unknown[] = [];
  const shapeOf = new Map<string, string>();
  const groupsPerObject = 10;
  for (let o = 0; o < GROUPS / groupsPerObject; o++) {
    const name = `bench-rules-${o}`;
    const groups = [];
    for (let g = 0; g < groupsPerObject; g++) {
      const groupName = `group-${o * groupsPerObject + g}`;
      const slice = all.splice(0, RULES_PER_GROUP);
      slice.forEach((r, idx) => shapeOf.set(`monitoring/${name}/${groupName}#${idx}`, r.shape));
      groups.push({ name: groupName, interval: '30s', rules: slice.map((r) => r.rule) });
    }
    objects.push({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name, namespace: 'monitoring' }, spec: { groups } });
  }
  return { objects, shapeOf };
}

// ---------------------------------------------------------------- measuring

/** `gc()` even when node runs without --expose-gc (`npm run bench` does): the flag can be set at run time. */
function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function memory(gc: () => void): NodeJS.MemoryUsage {
  gc();
  gc();
  return process.memoryUsage();
}

export async function ruleEvaluationBench(): Promise<void> {
  const gc = garbageCollector();
  const { targets, namespaces } = buildCluster();
  const scrapes = new Scrapes(targets);
  const before = memory(gc);

  const store = new MemorySeriesStore({ retentionMs: HISTORY_MS });
  const scrapeRounds = HISTORY_MS / SCRAPE_INTERVAL_MS;
  const commitMs: number[] = [];
  let t = START_MS;
  const load0 = performance.now();
  for (let r = 0; r < scrapeRounds; r++) {
    t += SCRAPE_INTERVAL_MS;
    const c0 = cpuMs();
    scrapes.commit(store, t);
    commitMs.push(cpuMs() - c0);
  }
  const loadS = (performance.now() - load0) / 1000;
  const loaded = memory(gc);
  const stats = store.stats();
  console.log(`series: ${stats.series.toLocaleString()} (${targets.length.toLocaleString()} targets, ${namespaces.length} namespaces, ${NODES} nodes), samples: ${stats.samples.toLocaleString()} (every 30 s for ${HISTORY_MS / 60_000} min)`);
  console.log(`load: ${scrapeRounds} scrapes of every target in ${loadS.toFixed(1)} s (wall); one scrape of all ${stats.series.toLocaleString()} series committed in CPU p50 ${pct(commitMs, 50).toFixed(0)} ms, max ${Math.max(...commitMs).toFixed(0)} ms (first, creating the series: ${commitMs[0].toFixed(0)} ms)`);
  console.log(`store memory after gc: heap +${mb(loaded.heapUsed - before.heapUsed)} MB, array buffers +${mb(loaded.arrayBuffers - before.arrayBuffers)} MB (chunks hold ${mb(stats.chunkBytes)} MB), rss +${mb(loaded.rss - before.rss)} MB; ${((loaded.heapUsed - before.heapUsed + loaded.arrayBuffers - before.arrayBuffers) / stats.samples).toFixed(1)} bytes/sample`);

  // What the embedded alerting uses: each expression parsed once, rule output written back.
  const ruleStorage = new RuleStorage(store);
  const { parse, query } = ruleStorage;

  const { objects, shapeOf } = buildRules(namespaces);
  const definitions = objects.flatMap((o) => {
    const loadedRules = loadPrometheusRule(o, parse);
    if (loadedRules.problems.length) throw new Error(`rules did not load: ${JSON.stringify(loadedRules.problems[0])}`);
    return loadedRules.groups;
  });

  // Each rule's own time, delimited by the group's onSamples callbacks (rule i ends where its
  // samples are handed over; it began where rule i-1's hand-over returned).
  const ruleMs = new Map<Rule, number[]>();
  let ruleStart = 0;
  const clock = new ScaledClock();
  const groups = definitions.map(
    (def) =>
      new RuleGroup(def, {
        clock,
        query,
        onSamples: (samples, tMs, rule) => {
          const ended = cpuMs();
          let list = ruleMs.get(rule);
          if (!list) ruleMs.set(rule, (list = []));
          list.push(ended - ruleStart);
          ruleStorage.record(def.id, rule, samples, tMs);
          ruleStart = cpuMs();
        },
      }),
  );
  const ruleCount = groups.reduce((n, g) => n + g.rules.length, 0);

  const roundMs: number[] = [];
  const roundWallMs: number[] = [];
  const ingestMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    t += SCRAPE_INTERVAL_MS;
    const i0 = cpuMs();
    scrapes.commit(store, t);
    ingestMs.push(cpuMs() - i0);
    const r0 = cpuMs();
    const w0 = performance.now();
    for (const g of groups) {
      ruleStart = cpuMs();
      await g.evaluate(t);
    }
    roundMs.push(cpuMs() - r0);
    roundWallMs.push(performance.now() - w0);
  }
  const evaluated = memory(gc);

  const rules = groups.flatMap((g) => g.rules);
  const failing = rules.filter((r) => r.health === 'err');
  const alerts = groups.flatMap((g) => g.activeAlerts());
  const firing = alerts.filter((a) => a.state === 'firing');
  const reference = alerts.find((a) => a.labels.alertname === 'StatefulSetReplicasMismatch' && a.labels.statefulset === 'kv-store');
  console.log(`rules: ${ruleCount.toLocaleString()} in ${groups.length} groups (${SHAPES.filter((s) => !s.wide).reduce((n, s) => n + s.count, 0)} about one namespace or workload, ${SHAPES.filter((s) => s.wide).reduce((n, s) => n + s.count, 0)} cluster-wide), ${ROUNDS} rounds 30 s apart: ${failing.length} failing${failing.length ? ` (e.g. ${failing[0].name}: ${failing[0].lastError})` : ''}, ${firing.length} alerts firing and ${alerts.length - firing.length} pending at the end (reference kv-store alert: ${reference?.state ?? 'missing'})`);

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const warm = roundMs.slice(1);
  console.log(`full round of all ${ruleCount.toLocaleString()} rules, CPU: p50 ${pct(warm, 50).toFixed(0)} ms, p99 ${pct(warm, 99).toFixed(0)} ms, max ${Math.max(...warm).toFixed(0)} ms (first, cold: ${roundMs[0].toFixed(0)} ms); wall p50 ${pct(roundWallMs.slice(1), 50).toFixed(0)} ms (load average ${loadavg()[0].toFixed(1)}); plus one scrape of every target committed in CPU p50 ${pct(ingestMs, 50).toFixed(0)} ms`);
  const all = [...ruleMs.values()].flatMap((xs) => xs.slice(1));
  console.log(`one rule, CPU: p50 ${pct(all, 50).toFixed(2)} ms, p99 ${pct(all, 99).toFixed(2)} ms, max ${Math.max(...all).toFixed(1)} ms`);
  const byShape = new Map<string, number[]>();
  for (const g of groups) {
    g.rules.forEach((rule, idx) => {
      const shape = shapeOf.get(`${g.id}#${idx}`)!;
      let list = byShape.get(shape);
      if (!list) byShape.set(shape, (list = []));
      list.push(...(ruleMs.get(rule) ?? []).slice(1));
    });
  }
  const slowest = [...byShape].map(([shape, xs]) => ({ shape, mean: sum(xs) / xs.length, rules: xs.length / (ROUNDS - 1), share: sum(xs) / sum(warm) })).sort((a, b) => b.mean - a.mean).slice(0, 5);
  console.log('slowest rule shapes (mean per rule, rules of that shape, share of a round):');
  for (const s of slowest) console.log(`  ${s.mean.toFixed(2)} ms  x${s.rules}  ${(s.share * 100).toFixed(0)}%  ${s.shape}`);
  console.log(`rules and their alert state after ${ROUNDS} rounds: heap +${mb(evaluated.heapUsed - loaded.heapUsed)} MB (store included: recorded series and ALERTS appended, ${store.stats().series.toLocaleString()} series now)`);
  const budget = pct(warm, 99) + pct(ingestMs, 50);
  console.log(`one round ${budget <= SCRAPE_INTERVAL_MS ? 'fits' : 'does NOT fit'} in a 30 s evaluation interval on this ${availableParallelism()}-core machine: ${(budget / 1000).toFixed(2)} s of 30 s (${((budget / SCRAPE_INTERVAL_MS) * 100).toFixed(0)}% of one core: CPU of a round, p99, plus one scrape commit)`);
}
