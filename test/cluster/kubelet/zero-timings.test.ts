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
    // Every container reports exactly one Pulled event: a pull of its own, or the image another pod
    // pulled first. Which pod pulls depends on how their starts interleave; that the fresh node pulls
    // each image at least once, and says so in the kubelet's words, does not.
    for (const [field, image] of [['spec.containers{app}', 'nginx:1.27'], ['spec.containers{sidecar}', 'busybox:1.36']]) {
      const pulled: string[] = [];
      for (const name of names) {
        const events = (await eventsFor(t, 'default', name)).filter((e) => e.reason === 'Pulled' && e.involvedObject.fieldPath === field);
        assert.equal(events.length, 1, `${name} ${field}: ${events.map((e) => e.message).join(' | ')}`);
        pulled.push(events[0].message);
      }
      const own = (message: string) => message.startsWith(`Successfully pulled image "${image}" in `) && /^Successfully pulled image "[^"]+" in \S+ \(\S+ including waiting\)\. Image size: 0 bytes\.$/.test(message);
      const present = `Container image "${image}" already present on machine`;
      for (const message of pulled) assert.ok(own(message) || message === present, message);
      assert.ok(pulled.some((message) => own(message)), `no pod pulled ${image}: ${pulled.join(' | ')}`);
    }
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
