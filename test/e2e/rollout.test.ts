/**
 * `kubectl rollout status|history|undo|restart` for Deployments and StatefulSets against the
 * whole embedded control plane (scheduler, kubelet, controllers), as an SRE runs them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

const NS = 'rollouts';
let k: RunningKubernaut;

const workload = (kind: 'Deployment' | 'StatefulSet', name: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: 2
${kind === 'StatefulSet' ? `  serviceName: ${name}\n` : ''}  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: nginx:1.26
`;

const image = (kind: string, name: string) => k.kubectlOk(['get', kind, name, '-n', NS, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
const podImages = (app: string) =>
  JSON.parse(k.kubectlOk(['get', 'pods', '-n', NS, '-l', `app=${app}`, '-o', 'json']))
    .items.filter((p: any) => !p.metadata.deletionTimestamp)
    .map((p: any) => p.spec.containers[0].image);

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--time-scale', '5', '--kubelet-delays', '50ms'] });
  k.kubectlOk(['create', 'namespace', NS]);
});
after(async () => {
  await k?.stop();
});

for (const [kind, name] of [['deployment', 'web'], ['statefulset', 'db']] as const) {
  test(`${kind}: status, set image, history, undo and restart`, () => {
    k.kubectlOk(['apply', '-f', '-'], { input: workload(kind === 'deployment' ? 'Deployment' : 'StatefulSet', name) });
    const status = (): string => k.kubectlOk(['rollout', 'status', `${kind}/${name}`, '-n', NS, '--timeout=60s'], { timeoutMs: 70_000 });
    assert.match(status(), kind === 'deployment' ? /successfully rolled out/ : /roll out complete: 2 new pods have been updated/);

    k.kubectlOk(['set', 'image', `${kind}/${name}`, '-n', NS, 'app=nginx:1.27']);
    status();
    assert.deepEqual(podImages(name), ['nginx:1.27', 'nginx:1.27']);
    const history = k.kubectlOk(['rollout', 'history', `${kind}/${name}`, '-n', NS]);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(k.kubectlOk(['rollout', 'history', `${kind}/${name}`, '-n', NS, '--revision=1']), /Image:\s+nginx:1\.26/);

    assert.match(k.kubectlOk(['rollout', 'undo', `${kind}/${name}`, '-n', NS]), /rolled back/);
    status();
    assert.equal(image(kind, name), 'nginx:1.26');
    assert.deepEqual(podImages(name), ['nginx:1.26', 'nginx:1.26']);
    assert.match(k.kubectlOk(['rollout', 'history', `${kind}/${name}`, '-n', NS]), /\n2\s+<none>\n3\s+<none>/);

    const before = JSON.parse(k.kubectlOk(['get', 'pods', '-n', NS, '-l', `app=${name}`, '-o', 'json'])).items.map((p: any) => p.metadata.uid);
    assert.match(k.kubectlOk(['rollout', 'restart', `${kind}/${name}`, '-n', NS]), /restarted/);
    status();
    const after = JSON.parse(k.kubectlOk(['get', 'pods', '-n', NS, '-l', `app=${name}`, '-o', 'json'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
    assert.equal(after.length, 2);
    for (const p of after) {
      assert.ok(!before.includes(p.metadata.uid), 'every pod was replaced');
      assert.ok(p.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    }
  });
}
