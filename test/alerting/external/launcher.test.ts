/**
 * startExternalAlerting with the real Prometheus and Alertmanager against an in-process cluster
 * (time scale 20, 20 s nominal intervals = 1 s real): a PrometheusRule created with kubectl-like
 * calls is loaded by a reload, fires, and Alertmanager delivers it to a webhook; changes, a
 * broken object and deletions follow; close() leaves no process behind. Missing binaries: the
 * configs are written and nothing is started.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { ensurePrometheusRuleCrd } from '../../../src/api/install.ts';
import { defaultGatewayRouting } from '../../../src/alerting/dispatch/alertmanager-yaml.ts';
import { startExternalAlerting, type ExternalAlerting, type ExternalAlertingOptions } from '../../../src/alerting/external/index.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { needs } from './tools.ts';

const clock = new ScaledClock(20);
const GVR = { group: 'monitoring.coreos.com', version: 'v1', plural: 'prometheusrules', namespace: 'demo' };
let cluster: EmbeddedCluster;
let kc: KubeConfig;
let api: CustomObjectsApi;
let metrics: Server;
let webhook: Server;
let metricsUrl: string;
let webhookUrl: string;
const notifications: any[] = [];
const dataDirs: string[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

before(async () => {
  cluster = await EmbeddedCluster.start({ clock, controlPlane: false });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  await ensurePrometheusRuleCrd(kc, { clock });
  api = kc.makeApiClient(CustomObjectsApi);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'demo' } } });
  metrics = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    // A `job` label of its own: kept only because the kube-state-metrics job honours labels.
    res.end('demo_replicas_ready{namespace="demo",statefulset="kv",job="from-target"} 2\ndemo_replicas{namespace="demo",statefulset="kv",job="from-target"} 3\n');
  });
  metricsUrl = `${await listen(metrics)}/metrics`;
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      notifications.push(JSON.parse(body));
      res.end('{}');
    });
  });
  webhookUrl = await listen(webhook);
});

after(async () => {
  await cluster?.close();
  metrics?.close();
  webhook?.close();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

function options(over: Partial<ExternalAlertingOptions> = {}): ExternalAlertingOptions {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-external-'));
  dataDirs.push(dataDir);
  return {
    kubeconfig: kc,
    clock,
    dataDir,
    host: '127.0.0.1',
    prometheusPort: 0,
    alertmanagerPort: 0,
    targets: [{ jobName: 'kube-state-metrics', url: metricsUrl }],
    scrapeIntervalMs: 20_000,
    evaluationIntervalMs: 20_000,
    routing: defaultGatewayRouting(webhookUrl),
    ...over,
  };
}

function prometheusRule(name: string, alert: string, expr: string, forText: string) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace: 'demo' },
    spec: { groups: [{ name: `${name}-group`, rules: [{ alert, expr, for: forText, labels: { severity: 'critical' }, annotations: { summary: '{{ $labels.statefulset }} has {{ $value }} ready' } }] }] },
  };
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return res.json();
}

/** Prometheus' loaded groups as {group name: [[rule name, for in seconds]]}. */
async function loadedRules(promUrl: string): Promise<Record<string, Array<[string, number]>>> {
  const body = await getJson(`${promUrl}/api/v1/rules`);
  return Object.fromEntries(body.data.groups.map((g: any) => [g.name, g.rules.map((r: any) => [r.name, r.duration])]));
}

/** Command lines of live processes that mention `text` (Linux /proc). */
function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) out.push(`${pid}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

test('with the real binaries: rules follow the cluster, alerts fire and reach the webhook, close() stops everything', needs('prometheus', 'alertmanager', 'promtool'), async (t) => {
  // A rule that exists before start is loaded at start, without waiting for a reload.
  await api.createNamespacedCustomObject({ ...GVR, body: prometheusRule('early', 'DemoEarly', 'vector(1) < 0', '20s') });
  const opts = options();
  let alerting: ExternalAlerting | undefined = await startExternalAlerting(opts);
  t.after(() => alerting?.close());
  assert.deepEqual(alerting.started, { prometheus: true, alertmanager: true });
  const promUrl = alerting.prometheusUrl!;
  const amUrl = alerting.alertmanagerUrl!;
  assert.equal((await fetch(`${promUrl}/-/ready`)).status, 200);
  assert.equal((await fetch(`${amUrl}/-/ready`)).status, 200);
  assert.deepEqual(await loadedRules(promUrl), { 'early-group': [['DemoEarly', 1]] });

  // Prometheus runs the rendered config: scaled intervals, our scrape job, our Alertmanager.
  const config = YAML.parse((await getJson(`${promUrl}/api/v1/status/config`)).data.yaml);
  assert.equal(config.global.scrape_interval, '1s');
  assert.equal(config.scrape_configs[0].job_name, 'kube-state-metrics');
  assert.equal(config.scrape_configs[0].honor_labels, true);
  const amStatus = await getJson(`${amUrl}/api/v2/status`);
  assert.match(amStatus.config.original, /group_wait: 1s500ms/);
  assert.match(amStatus.config.original, new RegExp(`url: ${webhookUrl}/api/v1/signals/prometheus`));
  assert.equal(amStatus.cluster.status, 'disabled');

  // Created after start: written, reloaded, evaluated every second, fires after `for` (20 s nominal = 1 s).
  await api.createNamespacedCustomObject({ ...GVR, body: prometheusRule('mismatch', 'DemoMismatch', 'demo_replicas_ready < demo_replicas', '20s') });
  await eventually(async () => (await loadedRules(promUrl))['mismatch-group']?.[0]?.[1] === 1, 'the new rule loaded', 20_000, 200);
  const firing = await eventually(async () => {
    const alerts = (await getJson(`${promUrl}/api/v1/alerts`)).data.alerts;
    return alerts.find((a: any) => a.labels.alertname === 'DemoMismatch' && a.state === 'firing');
  }, 'DemoMismatch firing in Prometheus', 30_000, 200);
  assert.equal(firing.labels.job, 'from-target', 'honor_labels keeps the scraped job label');
  assert.equal(firing.labels.statefulset, 'kv');
  assert.equal(firing.annotations.summary, 'kv has 2 ready');

  // Alertmanager groups (group_wait 30 s nominal = 1.5 s) and posts the v4 webhook.
  const sent = await eventually(() => notifications.find((n) => n.groupLabels?.alertname === 'DemoMismatch'), 'the webhook notification', 30_000, 200);
  assert.equal(sent.version, '4');
  assert.equal(sent.receiver, 'kubernaut-gateway');
  assert.deepEqual(sent.groupLabels, { alertname: 'DemoMismatch', namespace: 'demo' });
  assert.equal(sent.alerts[0].status, 'firing');
  assert.equal(sent.alerts[0].labels.severity, 'critical');

  // A change to the object is reflected (for: 40 s nominal = 2 s).
  const current = (await api.getNamespacedCustomObject({ ...GVR, name: 'mismatch' })) as any;
  current.spec.groups[0].rules[0].for = '40s';
  await api.replaceNamespacedCustomObject({ ...GVR, name: 'mismatch', body: current });
  await eventually(async () => (await loadedRules(promUrl))['mismatch-group']?.[0]?.[1] === 2, 'the changed rule loaded', 20_000, 200);

  // A broken object is skipped; the others stay loaded and later changes still reload.
  await api.createNamespacedCustomObject({ ...GVR, body: prometheusRule('broken', 'DemoBroken', 'demo_replicas ==', '1m') });
  await api.createNamespacedCustomObject({ ...GVR, body: prometheusRule('after-broken', 'DemoAfterBroken', 'vector(1) < 0', '1m') });
  await eventually(async () => (await loadedRules(promUrl))['after-broken-group'], 'the rule created after the broken one loaded', 20_000, 200);
  const rules = await loadedRules(promUrl);
  assert.deepEqual(Object.keys(rules).sort(), ['after-broken-group', 'early-group', 'mismatch-group']);
  assert.deepEqual(readdirSync(join(opts.dataDir, 'prometheus', 'rules')).filter((f) => f.startsWith('demo-broken-')), []);

  // Deleting an object unloads it.
  await api.deleteNamespacedCustomObject({ ...GVR, name: 'early' });
  await eventually(async () => !(await loadedRules(promUrl))['early-group'], 'the deleted rule unloaded', 20_000, 200);

  // close(): both processes are gone and their ports closed.
  assert.equal(processesMentioning(opts.dataDir).length, 2);
  await alerting.close();
  alerting = undefined;
  assert.deepEqual(processesMentioning(opts.dataDir), []);
  await assert.rejects(fetch(`${promUrl}/-/ready`));
  await assert.rejects(fetch(`${amUrl}/-/ready`));
  for (const name of ['early', 'mismatch', 'broken', 'after-broken']) await api.deleteNamespacedCustomObject({ ...GVR, name }).catch(() => undefined);
});

test('a port in use is refused with a clear error before anything starts', async () => {
  const busy = createServer();
  const url = await listen(busy);
  const port = Number(new URL(url).port);
  try {
    await assert.rejects(startExternalAlerting(options({ prometheusPort: port })), new RegExp(`Prometheus port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    busy.close();
  }
});

test('an explicit binary that does not exist is an error', async () => {
  await assert.rejects(startExternalAlerting(options({ binaries: { prometheus: '/nonexistent/prometheus' } })), /prometheus binary "\/nonexistent\/prometheus" does not exist/);
});

test('binaries missing from PATH: configs written, nothing started', async (t) => {
  const savedPath = process.env.PATH;
  const emptyDir = mkdtempSync(join(tmpdir(), 'kubernaut-nopath-'));
  dataDirs.push(emptyDir);
  process.env.PATH = emptyDir;
  t.after(() => {
    process.env.PATH = savedPath;
  });
  const opts = options();
  const alerting = await startExternalAlerting(opts);
  process.env.PATH = savedPath;
  try {
    assert.deepEqual(alerting.started, { prometheus: false, alertmanager: false });
    assert.equal(alerting.prometheusUrl, undefined);
    assert.equal(alerting.alertmanagerUrl, undefined);
    assert.equal(alerting.configDir, opts.dataDir);
    const prom = YAML.parse(readFileSync(join(opts.dataDir, 'prometheus', 'prometheus.yml'), 'utf8'));
    assert.deepEqual(prom.rule_files, [join(opts.dataDir, 'prometheus', 'rules', '*.yaml')]);
    assert.match(readFileSync(join(opts.dataDir, 'alertmanager', 'alertmanager.yml'), 'utf8'), /receiver: kubernaut-gateway/);
    assert.ok(existsSync(join(opts.dataDir, 'prometheus', 'rules')));
    assert.deepEqual(processesMentioning(opts.dataDir), []);
  } finally {
    await alerting.close();
  }
});
