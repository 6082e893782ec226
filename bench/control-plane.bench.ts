/**
 * Control-plane figures, each on a fresh `kubernaut up` with zero simulated kubelet delays:
 * - time for a 100-replica StatefulSet (with a volumeClaimTemplate) to become Ready, under
 *   OrderedReady and Parallel pod management;
 * - CPU of the whole stack per 1,000 running pods at steady state (nothing changing), against
 *   the same stack idle.
 */
import { readFileSync } from 'node:fs';
import { startStack as startUp } from './stack.ts';

const CLK_TCK = 100;
/** Zero simulated kubelet work, so the figures are the control plane's own. */
const startStack = (args: string[]) => startUp(['--kubelet-delays', '0', ...args]);

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function api(url: string, method = 'GET', body?: unknown): Promise<any> {
  const res = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statefulSet = (policy: 'OrderedReady' | 'Parallel') => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'big', namespace: 'default' },
  spec: {
    replicas: 100,
    podManagementPolicy: policy,
    serviceName: 'big',
    selector: { matchLabels: { app: 'big' } },
    template: {
      metadata: { labels: { app: 'big' } },
      spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
    },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
  },
});

async function statefulSetTimeToReady(policy: 'OrderedReady' | 'Parallel'): Promise<void> {
  const stack = await startStack([]);
  try {
    const t0 = performance.now();
    await api(`${stack.url}/apis/apps/v1/namespaces/default/statefulsets`, 'POST', statefulSet(policy));
    await waitFor(async () => (await api(`${stack.url}/apis/apps/v1/namespaces/default/statefulsets/big`)).status?.readyReplicas === 100, 300_000);
    const s = (performance.now() - t0) / 1000;
    console.log(`100-replica StatefulSet (${policy}, 100 PVCs/PVs) Ready in ${s.toFixed(1)} s (${((s * 1000) / 100).toFixed(0)} ms per pod)`);
  } finally {
    await stack.stop();
  }
}

async function steadyStateCpu(): Promise<void> {
  const stack = await startStack(['--nodes', '10']);
  try {
    const sample = async (seconds: number) => {
      const c0 = cpuSeconds(stack.pid);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      return (cpuSeconds(stack.pid) - c0) / seconds;
    };
    await new Promise((r) => setTimeout(r, 2000));
    const idle = await sample(15);
    await api(`${stack.url}/apis/apps/v1/namespaces/default/deployments`, 'POST', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'steady', namespace: 'default' },
      spec: {
        replicas: 1000,
        selector: { matchLabels: { app: 'steady' } },
        template: {
          metadata: { labels: { app: 'steady' } },
          spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
        },
      },
    });
    const t0 = performance.now();
    await waitFor(async () => (await api(`${stack.url}/apis/apps/v1/namespaces/default/deployments/steady`)).status?.availableReplicas === 1000, 600_000);
    console.log(`Deployment of 1,000 pods over 10 nodes available in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 5000));
    const busy = await sample(30);
    console.log(`steady-state CPU of the whole stack: idle ${(idle * 100).toFixed(1)}% of a core; with 1,000 running pods ${(busy * 100).toFixed(1)}% of a core`);
    console.log(`=> control plane CPU per 1,000 pods at steady state: ${((busy - idle) * 1000).toFixed(0)} ms CPU per second`);
  } finally {
    await stack.stop();
  }
}

export async function controlPlaneBench(): Promise<void> {
  await statefulSetTimeToReady('OrderedReady');
  await statefulSetTimeToReady('Parallel');
  await steadyStateCpu();
}
