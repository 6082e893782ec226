import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NODES } from '../../../src/cluster/client/resources.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { condition, container, eventsFor, NODE, runPod, startKubeletCluster, waitForPod } from './helpers.ts';

test('with zero timings (the bench) pods become Ready as fast as the API allows', async () => {
  const t = await startKubeletCluster({ timeScale: 1, timings: { imagePullMs: 0, containerStartMs: 0, volumeMountMs: 0 } });
  try {
    const names = ['z0', 'z1', 'z2', 'z3', 'z4'];
    for (const name of names) await runPod(t, 'default', { name, spec: { containers: [container('app'), container('sidecar', { image: 'busybox:1.36' })] } });
    for (const name of names) {
      const pod = await waitForPod(t, 'default', name, `${name} Ready`, (p) => condition(p, 'Ready')?.status === 'True' && p, 5_000);
      assert.equal(pod.status.phase, 'Running');
    }
    const ips = new Set<string>();
    for (const name of names) ips.add((await waitForPod(t, 'default', name, 'ip', (p) => p.status.podIP)) as string);
    assert.equal(ips.size, names.length, 'every pod has its own IP');
    const pulled = (await eventsFor(t, 'default', 'z0')).find((e) => e.reason === 'Pulled' && e.message.includes('Successfully'));
    if (pulled) assert.match(pulled.message, /^Successfully pulled image "nginx:1.27" in \S+ \(\S+ including waiting\)\. Image size: 0 bytes\.$/);
    // Pulled images show up in the node status.
    await eventually(async () => {
      const node = await t.client.get(NODES, undefined, NODE);
      const names = (node.status.images ?? []).flatMap((i: any) => i.names);
      return names.includes('docker.io/library/nginx:1.27') && names.includes('docker.io/library/busybox:1.36');
    }, 'node status.images');
  } finally {
    await t.close();
  }
});
