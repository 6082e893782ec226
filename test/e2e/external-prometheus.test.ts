/**
 * `kubernaut up --prometheus external`: the reference scenario with the real Prometheus and
 * Alertmanager (Debian packages; scripts/ci/install-prometheus.sh installs them in CI). kv-store
 * rolls out, the scenario's PrometheusRule (its `for: 3m` shortened by the test) is loaded into
 * Prometheus, the PVC fault is injected, Prometheus fires KubernautStatefulSetReplicasMismatch, and
 * Alertmanager delivers it to the Gateway, which creates the RemediationRequest for StatefulSet
 * kv-store. Routing comes from an Alertmanager file (--alertmanager-config) with a 1 s group_wait.
 * Alongside, the embedded evaluator runs in this test process on the same kube-state-metrics and the
 * same PrometheusRules (the reference rule and a group of non-trivial ones): both engines must fire
 * the same alerts with the same labels and values (a live differential test).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { eventually, freePort, ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { SCENARIO_KUBELET_DELAYS } from '../helpers/reference-scenario.ts';
import { needs } from '../alerting/external/tools.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { startEmbeddedAlerting, type EmbeddedAlerting } from '../../src/alerting/embedded/embedded-alerting.ts';
import { ScaledClock } from '../../src/platform/clock.ts';

const NS = 'demo-statefulset';
const ALERT = 'KubernautStatefulSetReplicasMismatch';
const SCENARIO = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const MANIFESTS = join(SCENARIO, 'manifests');
const requirement = needs('prometheus', 'alertmanager');

let k: RunningKubernaut | undefined;
let endpoints: { prometheus: string; alertmanager: string; kubeStateMetrics: string; gateway: string };
let configDir: string;
let dataDir: string;
let embedded: EmbeddedAlerting | undefined;

/**
 * Non-trivial expressions over the same kube-state-metrics series, evaluated by both engines. Their
 * `namespace` label is overridden by the rule so the Gateway finds no target and creates no
 * RemediationRequest from them (the scenario's RR must come from the reference alert).
 */
const OFF_TARGET = { namespace: 'kubernaut-differential' };
const DIFFERENTIAL_RULES = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'differential', namespace: NS },
  spec: {
    groups: [
      {
        name: 'differential',
        rules: [
          { alert: 'DiffPendingPods', expr: 'count by (namespace) (kube_pod_status_phase{namespace="demo-statefulset",phase="Pending"} == 1) > 0', for: '2s', labels: OFF_TARGET },
          { alert: 'DiffReadyRatio', expr: 'kube_statefulset_status_replicas_ready{namespace="demo-statefulset"} / on(namespace, statefulset) kube_statefulset_status_replicas < 1', for: '2s', labels: { ...OFF_TARGET, severity: 'warning' } },
          { alert: 'DiffMissing', expr: 'sum without (instance, job) (kube_statefulset_status_replicas{namespace="demo-statefulset"} - kube_statefulset_status_replicas_ready) > 0', for: '2s', labels: OFF_TARGET },
          { alert: 'DiffRenamed', expr: 'label_replace(kube_statefulset_replicas{namespace="demo-statefulset"}, "workload", "sts/$1", "statefulset", "(.*)") >= bool 3 unless on(namespace) kube_namespace_labels{namespace="nope"}', labels: OFF_TARGET },
          { alert: 'DiffAbsent', expr: 'absent(kube_statefulset_replicas{statefulset="no-such-set"})', labels: { ...OFF_TARGET, severity: 'info' }, annotations: { summary: '{{ $labels.statefulset }} is absent ({{ $value | humanize }})' } },
        ],
      },
    ],
  },
};

before(async () => {
  if (requirement.skip) return;
  const gatewayPort = await freePort();
  configDir = mkdtempSync(join(tmpdir(), 'kubernaut-amconfig-'));
  const amConfig = join(configDir, 'alertmanager.yml');
  writeFileSync(
    amConfig,
    YAML.stringify({
      route: { receiver: 'gateway', group_by: ['alertname', 'namespace'], group_wait: '1s', group_interval: '5s', repeat_interval: '1h' },
      receivers: [{ name: 'gateway', webhook_configs: [{ url: `http://127.0.0.1:${gatewayPort}/api/v1/signals/prometheus`, send_resolved: true }] }],
    }),
  );
  k = await startKubernaut({
    args: [
      '--prometheus', 'external',
      '--prometheus-port', '0',
      '--alertmanager-port', '0',
      '--scrape-interval', '1s',
      '--evaluation-interval', '1s',
      '--gateway-port', String(gatewayPort),
      '--alertmanager-config', amConfig,
      // The fault is a race: see SCENARIO_KUBELET_DELAYS.
      '--kubelet-delays', SCENARIO_KUBELET_DELAYS,
    ],
  });
  dataDir = k.dataDir;
  endpoints = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
});

after(async () => {
  await embedded?.close();
  await k?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return res.json();
}

/** Live processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmd.includes(text) ? [cmd] : [];
      } catch {
        return [];
      }
    });
}

test('the real Prometheus and Alertmanager run, scraping the embedded kube-state-metrics', requirement, async () => {
  assert.match(endpoints.prometheus, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(endpoints.alertmanager, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(endpoints.prometheus, endpoints.alertmanager);
  assert.match((await getJson(`${endpoints.prometheus}/api/v1/status/buildinfo`)).data.version, /^2\./);
  assert.equal((await fetch(`${endpoints.alertmanager}/-/ready`)).status, 200);
  const ksm = new URL(endpoints.kubeStateMetrics);
  await eventually(async () => {
    const targets = (await getJson(`${endpoints.prometheus}/api/v1/targets`)).data.activeTargets;
    // `instance` is the stable name `up` gives the embedded kube-state-metrics, whose port changes per start.
    return targets.some((t: any) => t.labels.job === 'kube-state-metrics' && t.labels.instance === 'kube-state-metrics' && new URL(t.scrapeUrl).host === ksm.host && t.health === 'up');
  }, 'kube-state-metrics scraped and up', 60_000, 250);
});

test('kv-store rolls out, then the scenario\'s PrometheusRule is loaded into Prometheus and does not fire', requirement, async () => {
  const c = k!;
  c.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml')]);
  c.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
  c.kubectlOk(['rollout', 'status', 'statefulset/kv-store', '-n', NS, '--timeout=180s'], { timeoutMs: 190_000 });
  // Only now: during the rollout fewer replicas are ready than desired, and with the short `for`
  // the rule would rightly fire (and reach the Gateway) before any fault is injected. And only once
  // Prometheus itself has scraped 3 ready replicas: its latest sample may still predate the rollout's end.
  await eventually(async () => {
    const q = encodeURIComponent('kube_statefulset_status_replicas_ready{namespace="demo-statefulset",statefulset="kv-store"}');
    const result = (await getJson(`${endpoints.prometheus}/api/v1/query?query=${q}`)).data.result;
    return result.length === 1 && result[0].value[1] === '3';
  }, 'Prometheus has scraped 3 ready replicas', 30_000, 250);
  const rule = readFileSync(join(MANIFESTS, 'prometheus-rule.yaml'), 'utf8');
  assert.match(rule, /for: 3m/);
  c.kubectlOk(['apply', '-f', '-'], { input: rule.replace('for: 3m', 'for: 5s') });
  c.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(DIFFERENTIAL_RULES) });
  // The embedded evaluator, in this process, on the same inputs (no routing: compared, not sent).
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  embedded = await startEmbeddedAlerting({
    kubeconfig: kc,
    clock: new ScaledClock(1),
    host: '127.0.0.1',
    port: 0,
    targets: [{ jobName: 'kube-state-metrics', url: endpoints.kubeStateMetrics, labels: { instance: 'kube-state-metrics' } }],
    scrapeIntervalMs: 1_000,
    evaluationIntervalMs: 1_000,
  });

  const loaded = await eventually(async () => {
    const groups = (await getJson(`${endpoints.prometheus}/api/v1/rules`)).data.groups;
    return groups.flatMap((g: any) => g.rules).find((r: any) => r.name === ALERT);
  }, 'the PrometheusRule loaded into Prometheus', 30_000, 250);
  assert.equal(loaded.duration, 5);
  assert.equal(loaded.labels.severity, 'critical');
  // Evaluated against 3/3 ready replicas: nothing to alert on.
  await eventually(async () => (await getJson(`${endpoints.prometheus}/api/v1/rules`)).data.groups.some((g: any) => g.rules.some((r: any) => r.name === ALERT && r.health === 'ok')), 'the rule evaluated', 30_000, 250);
  const alerts = (await getJson(`${endpoints.prometheus}/api/v1/alerts`)).data.alerts;
  assert.deepEqual(alerts.filter((a: any) => a.labels.alertname === ALERT), []);
  assert.equal(c.kubectlOk(['get', 'rr', '-n', NS, '-o', 'name']).trim(), '');
});

test('the PVC fault fires the alert in Prometheus and the Gateway creates the RemediationRequest for kv-store', requirement, async () => {
  const c = k!;
  const inject = spawnSync('bash', [join(SCENARIO, 'inject-pvc-issue.sh')], { env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dataDir }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(inject.status, 0, `${inject.stdout}\n${inject.stderr}`);

  const firing = await eventually(async () => {
    const alerts = (await getJson(`${endpoints.prometheus}/api/v1/alerts`)).data.alerts;
    return alerts.find((a: any) => a.labels.alertname === ALERT && a.state === 'firing');
  }, `${ALERT} firing in Prometheus`, 90_000, 500);
  // kube-state-metrics' labels kept (honor_labels): the alert names the StatefulSet itself.
  assert.equal(firing.labels.namespace, NS);
  assert.equal(firing.labels.statefulset, 'kv-store');
  assert.equal(firing.labels.severity, 'critical');
  // The comparison keeps the left side: 2 ready replicas.
  assert.equal(Number(firing.value), 2);

  const received = await eventually(async () => {
    const alerts = await getJson(`${endpoints.alertmanager}/api/v2/alerts?filter=alertname%3D${ALERT}`);
    return alerts.length > 0 && alerts;
  }, 'the alert in Alertmanager', 30_000, 250);
  assert.equal(received[0].labels.statefulset, 'kv-store');

  const rr = await eventually(() => {
    const r = c.kubectl(['get', 'rr', '-n', NS, '-o', 'json']);
    return r.code === 0 && JSON.parse(r.stdout).items[0];
  }, 'a RemediationRequest in demo-statefulset', 60_000, 500);
  assert.deepEqual(rr.spec.targetResource, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.equal(rr.spec.signalName, ALERT);
  assert.equal(rr.spec.severity, 'critical');
});

/** Firing alerts as `labels => value`, sorted, from Prometheus' /api/v1/alerts and from the embedded engine. */
async function firingOf(names: string[]): Promise<{ prometheus: string[]; embedded: string[] }> {
  const key = (labels: Record<string, string>, value: number) =>
    `${JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))))} => ${value}`;
  const prom = (await getJson(`${endpoints.prometheus}/api/v1/alerts`)).data.alerts
    .filter((a: any) => names.includes(a.labels.alertname) && a.state === 'firing')
    .map((a: any) => key(a.labels, Number(a.value)));
  const ours = embedded!.rules
    .activeAlerts()
    .filter((a) => names.includes(a.labels.alertname) && a.state === 'firing')
    .map((a) => key(a.labels, a.value));
  return { prometheus: prom.sort(), embedded: ours.sort() };
}

test('live differential: the embedded evaluator fires the same alerts, labels and values as Prometheus', requirement, async () => {
  const names = [ALERT, ...DIFFERENTIAL_RULES.spec.groups[0].rules.map((r) => r.alert)];
  // Both engines scrape and evaluate on their own schedules: wait until they agree, then check
  // that what they agree on is the expected set (the fault is in place: every rule fires).
  const agreed = await eventually(async () => {
    const f = await firingOf(names);
    return f.prometheus.length === names.length && JSON.stringify(f.prometheus) === JSON.stringify(f.embedded) ? f : undefined;
  }, 'both engines firing the same alerts', 60_000, 500).catch(async (e) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(await firingOf(names), null, 1)}`);
  });
  const byName = (n: string) => agreed.embedded.filter((x) => x.includes(`"alertname":"${n}"`));
  assert.equal(byName('DiffRenamed').length, 1);
  assert.match(byName('DiffRenamed')[0], /"workload":"sts\/kv-store"/);
  assert.match(byName('DiffReadyRatio')[0], /=> 0\.6666666666666666$/);
  assert.match(byName(ALERT)[0], /=> 2$/);
  // Annotations are rendered by both with the same template semantics.
  const promAbsent = (await getJson(`${endpoints.prometheus}/api/v1/alerts`)).data.alerts.find((a: any) => a.labels.alertname === 'DiffAbsent');
  const ourAbsent = embedded!.rules.activeAlerts().find((a) => a.labels.alertname === 'DiffAbsent')!;
  assert.deepEqual(ourAbsent.annotations, promAbsent.annotations);
});

test('stopping kubernaut stops Prometheus and Alertmanager', requirement, async () => {
  assert.equal(processesMentioning(dataDir).filter((cmd) => /prometheus|alertmanager/.test(cmd) && !cmd.includes('kubernaut.js')).length, 2);
  const code = await k!.stop();
  k = undefined;
  assert.equal(code, 0);
  assert.deepEqual(processesMentioning(dataDir), []);
  await assert.rejects(fetch(`${endpoints.prometheus}/-/ready`));
  await assert.rejects(fetch(`${endpoints.alertmanager}/-/ready`));
});
