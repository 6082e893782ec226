/**
 * The Kubernetes tools print what the real kubectl (v1.32, on the PATH) prints against the same
 * API server: `kubectl_describe` line by line for every kind with its own describer, the events
 * table like `kubectl events`, the list tables like `kubectl get`. Objects live in an in-process
 * embedded cluster with the simulated control plane, so pods have real statuses (Pending on an
 * unbound claim, crash loops, OOM kills, image pull failures). Only ages, which move between the
 * two reads, are left out of the comparison; a state that changes between reads is read again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { installKubernautCrds } from '../../../../src/api/install.ts';
import { eventually } from '../../../helpers/kubernaut-process.ts';
import { containerStatus, isPhase, namespace, runTool, startToolCluster, type ToolCluster } from './fixture.ts';

const NS = 'parity';
let t: ToolCluster;

const labels = { app: 'web', tier: 'front' };
const objects = (): any[] => [
  namespace(NS, { team: 'storage' }),
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'parity-fast', annotations: { owner: 'platform' } },
    provisioner: 'example.com/fast',
    parameters: { type: 'ssd', iops: '3000' },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
    mountOptions: ['noatime'],
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'parity-pv', labels: { disk: 'manual' } },
    spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'manual', hostPath: { path: '/mnt/parity', type: 'DirectoryOrCreate' } },
  },
  // A StatefulSet whose claims name a StorageClass that does not exist: its pod stays Pending.
  statefulSet('kv-store', 'missing-class'),
  statefulSet('ledger', 'standard'),
  behaviourPod('crasher', { app: { crashLoop: true, logs: ['starting', 'fatal: bad config'] } }),
  behaviourPod('oom', { app: { oomKillAfterSeconds: 1, logs: ['allocating'] } }, { limits: { memory: '64Mi', cpu: '250m' }, requests: { memory: '32Mi', cpu: '100m' } }),
  behaviourPod('nopull', { app: { imagePull: 'fail' } }),
  // One key each: kubectl prints the keys of a ConfigMap or Secret in Go's random map order.
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: NS, labels }, data: { 'app.conf': 'port=8080\nmode=strict\n' }, binaryData: { blob: 'aGVsbG8=' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: NS }, type: 'Opaque', stringData: { password: 'hunter2' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, labels, annotations: { team: 'core' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'] }],
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              args: ['--port', '80'],
              ports: [{ containerPort: 80, name: 'http' }],
              envFrom: [{ configMapRef: { name: 'app-config' } }],
              env: [
                { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 80 }, initialDelaySeconds: 3 },
              readinessProbe: { tcpSocket: { port: 'http' } },
              volumeMounts: [
                { name: 'conf', mountPath: '/etc/conf', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'conf', configMap: { name: 'app-config' } },
            { name: 'tmp', emptyDir: {} },
            { name: 'creds', secret: { secretName: 'app-secret' } },
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
        },
      },
    },
  },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: NS }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once', namespace: NS },
    spec: {
      backoffLimit: 2,
      template: { metadata: { annotations: { 'sim.kubernaut.ai/behavior': 'main: {exitAfterSeconds: 1, logs: [done]}' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip, i) => ({ addresses: [ip], conditions: { ready: i !== 1 } })),
  },
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: NS }, spec: { hard: { pods: '50', 'requests.cpu': '4', 'limits.memory': '8Gi' } } },
  {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits', namespace: NS },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m' }, max: { cpu: '2' } }] },
  },
  {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'AIAnalysis',
    metadata: { name: 'ai-parity', namespace: NS, labels: { 'kubernaut.ai/rr': 'rr-1' } },
    spec: {
      remediationRequestRef: { name: 'rr-1', namespace: NS },
      remediationId: 'rr-1',
      analysisRequest: {
        signalContext: { fingerprint: 'a'.repeat(64), severity: 'critical', signalName: 'KubePodCrashLooping', targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS } },
        analysisTypes: ['investigation', 'root-cause'],
      },
    },
  },
];

function statefulSet(name: string, storageClassName: string): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'kv',
              image: 'registry.example/kv:1.0',
              ports: [{ containerPort: 6379, name: 'kv' }],
              env: [{ name: 'MODE', value: 'cluster' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

function behaviourPod(name: string, behaviour: Record<string, unknown>, resources?: Record<string, unknown>): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name }, annotations: { 'sim.kubernaut.ai/behavior': JSON.stringify(behaviour) } },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', ...(resources ? { resources } : {}) }] },
  };
}

const podPath = (name: string): string => `/api/v1/namespaces/${NS}/pods/${name}`;

before(async () => {
  t = await startToolCluster();
  await installKubernautCrds(t.kc, { clock: t.clock });
  await t.create(...objects());
  await Promise.all([
    t.waitFor(podPath('kv-store-0'), (p) => isPhase('Pending')(p) && p.status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.status === 'False'), 'kv-store-0 unschedulable'),
    t.waitFor(podPath('ledger-0'), (p) => containerStatus(p, 'kv')?.ready, 'ledger-0 ready'),
    t.waitFor(podPath('crasher'), (p) => containerStatus(p, 'app')?.lastState?.terminated, 'crasher restarted'),
    t.waitFor(podPath('oom'), (p) => containerStatus(p, 'app')?.lastState?.terminated?.reason === 'OOMKilled', 'oom OOMKilled'),
    t.waitFor(podPath('nopull'), (p) => /ImagePull/.test(containerStatus(p, 'app')?.state?.waiting?.reason ?? ''), 'nopull waiting on its image'),
    t.waitFor(`/apis/apps/v1/namespaces/${NS}/deployments/web`, (d) => d.status?.availableReplicas === 2, 'web available'),
    t.waitFor(`/apis/apps/v1/namespaces/${NS}/daemonsets/agent`, (d) => d.status?.numberAvailable === 1, 'agent available'),
    t.waitFor(`/apis/batch/v1/namespaces/${NS}/jobs/once`, (j) => j.status?.succeeded === 1, 'job once succeeded'),
  ]);
});

after(async () => {
  await t?.close();
});

/**
 * Blanks what only time changes: the Age column of an events table (its width moves the columns
 * after it, so those are compared as cells) and the last column (Age) of a node's pod table.
 */
function withoutAges(text: string): string {
  const out: string[] = [];
  let ageAt = -1;
  let nodePods = false;
  for (const line of text.split('\n')) {
    if (/^ {2}Type +Reason +Age +From +Message$/.test(line)) ageAt = line.indexOf('Age');
    else if (!line.startsWith('  ')) ageAt = -1;
    if (line.startsWith('Non-terminated Pods:')) nodePods = true;
    if (line.startsWith('Allocated resources:')) nodePods = false;
    if (ageAt >= 0) {
      const rest = line.slice(ageAt).split(/ {2,}/);
      out.push(`${line.slice(0, ageAt)}|${rest.slice(1).join('|')}`);
    } else if (nodePods && /^ {2}\S/.test(line)) {
      out.push(line.replace(/\s+\S+$/, ''));
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

/** The tool's text equals kubectl's read just before and just after it (retried while the object moves). */
async function assertSameAs(kubectlArgs: string[], toolName: string, args: Record<string, unknown>, normalise: (s: string) => string): Promise<void> {
  let last = '';
  try {
    await eventually(
      async () => {
        const before = normalise(await t.kubectl(kubectlArgs));
        const ours = normalise(await runTool(t, toolName, args));
        const afterwards = normalise(await t.kubectl(kubectlArgs));
        if (before !== afterwards) return false;
        if (ours === before) return true;
        last = lineDiff(before, ours);
        return false;
      },
      `${toolName} ${JSON.stringify(args)} to match kubectl ${kubectlArgs.join(' ')}`,
      30_000,
      300,
    );
  } catch (e) {
    assert.fail(`${(e as Error).message}\n${last}`);
  }
}

function lineDiff(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push(`line ${i + 1}:\n  kubectl: ${JSON.stringify(a[i])}\n  tool:    ${JSON.stringify(b[i])}`);
  return out.slice(0, 10).join('\n');
}

describe('kubectl_describe prints what kubectl describe prints', () => {
  const cases: Array<[kind: string, name: string, ns?: string]> = [
    ['pod', 'kv-store-0', NS],
    ['pod', 'ledger-0', NS],
    ['pod', 'crasher', NS],
    ['pod', 'oom', NS],
    ['pod', 'nopull', NS],
    ['statefulset', 'kv-store', NS],
    ['statefulset', 'ledger', NS],
    ['deployment', 'web', NS],
    ['daemonset', 'agent', NS],
    ['job', 'once', NS],
    ['persistentvolumeclaim', 'data-kv-store-0', NS],
    ['persistentvolumeclaim', 'data-ledger-0', NS],
    ['persistentvolume', 'parity-pv'],
    ['storageclass', 'parity-fast'],
    ['storageclass', 'standard'],
    ['node', 'kind-control-plane'],
    ['service', 'web', NS],
    ['configmap', 'app-config', NS],
    ['secret', 'app-secret', NS],
    ['namespace', NS],
    ['aianalysis', 'ai-parity', NS],
  ];
  for (const [kind, name, ns] of cases) {
    test(`${kind} ${name}`, async () => {
      await assertSameAs(['describe', kind, name, ...(ns ? ['-n', ns] : [])], 'kubectl_describe', { kind, name, ...(ns ? { namespace: ns } : {}) }, withoutAges);
    });
  }

  test('the ReplicaSet of the Deployment, and the volume bound to a claim', async () => {
    const rs = (await t.read(`/apis/apps/v1/namespaces/${NS}/replicasets`)).items[0].metadata.name;
    await assertSameAs(['describe', 'replicaset', rs, '-n', NS], 'kubectl_describe', { kind: 'rs', name: rs, namespace: NS }, withoutAges);
    const pv = (await t.read(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data-ledger-0`)).spec.volumeName;
    await assertSameAs(['describe', 'pv', pv], 'kubectl_describe', { kind: 'pv', name: pv }, withoutAges);
  });
});

/** kubectl events' LAST SEEN is the first column: its width moves every other, so rows are compared as cells. */
const eventCells = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/).slice(1).join('|'))
    .join('\n');

test('kubectl_events of an object prints the rows of kubectl events --for', async () => {
  await assertSameAs(['events', '-n', NS, '--for', 'pod/crasher'], 'kubectl_events', { namespace: NS, kind: 'pod', name: 'crasher' }, eventCells);
  await assertSameAs(['events', '-n', NS, '--for', 'persistentvolumeclaim/data-kv-store-0'], 'kubectl_events', { namespace: NS, kind: 'PersistentVolumeClaim', name: 'data-kv-store-0' }, eventCells);
});

/**
 * A `kubectl get` table as cells, cut at the header's column starts: blank cells read `<none>`
 * as the tool prints them, ages and `(5s ago)` restart times are left out.
 */
function tableCells(text: string): string {
  const [header, ...rows] = text.trimEnd().split('\n');
  const names = header.split(/ {3,}/);
  const starts: number[] = [];
  let from = 0;
  for (const n of names) {
    from = header.indexOf(n, from);
    starts.push(from);
    from += n.length;
  }
  const ageColumn = names.indexOf('AGE');
  return rows
    .map((row) =>
      starts
        .map((s, i) => (i === ageColumn ? '' : row.slice(s, starts[i + 1]).trim().replace(/ \(.* ago\)$/, '') || '<none>'))
        .join('|'),
    )
    .concat(names.join('|'))
    .join('\n');
}

describe('the list tools print the tables kubectl get prints', () => {
  const cases: Array<[args: string[], tool: string, toolArgs: Record<string, unknown>]> = [
    [['get', 'pvc', '-n', NS], 'kubectl_get_by_kind_in_namespace', { kind: 'pvc', namespace: NS }],
    [['get', 'pods', '-n', NS], 'kubectl_get_by_kind_in_namespace', { kind: 'Pod', namespace: NS }],
    [['get', 'statefulsets', '-n', NS], 'kubectl_get_by_kind_in_namespace', { kind: 'sts', namespace: NS }],
    [['get', 'deployments', '-n', NS, '-l', 'app=web'], 'kubectl_get_by_kind_in_namespace', { kind: 'deployments.apps', namespace: NS, label_selector: 'app=web' }],
    [['get', 'aianalyses', '-n', NS], 'kubectl_get_by_kind_in_namespace', { kind: 'AIAnalysis', namespace: NS }],
    [['get', 'pods', '-A', '-l', 'app in (web,agent)'], 'kubectl_get_by_kind_in_cluster', { kind: 'po', label_selector: 'app in (web,agent)' }],
    [['get', 'pv'], 'kubectl_get_by_kind_in_cluster', { kind: 'PersistentVolume' }],
    [['get', 'storageclasses'], 'kubectl_get_by_kind_in_cluster', { kind: 'sc' }],
    [['get', 'nodes'], 'kubectl_get_by_kind_in_cluster', { kind: 'nodes' }],
  ];
  for (const [args, name, toolArgs] of cases) {
    test(`kubectl ${args.join(' ')}`, async () => {
      await assertSameAs(args, name, toolArgs, tableCells);
    });
  }
});
