/** Watches: kubectl get -w, client-node Watch and informers, 410 Gone recovery. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;
let kc: k8s.KubeConfig;

before(async () => {
  // A tiny watch cache so that resourceVersions expire quickly (410 Gone).
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--watch-cache-size', '50'] });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  k.kubectlOk(['create', 'namespace', 'w']);
});
after(async () => {
  await k.stop();
});

test('kubectl get -w streams changes as they happen', async () => {
  k.kubectlOk(['create', 'configmap', 'watched', '-n', 'w']);
  const w = k.kubectlBackground(['get', 'configmaps', '-n', 'w', '-w', '-o', 'custom-columns=NAME:.metadata.name,V:.data.v']);
  await eventually(() => w.output().includes('watched'), 'initial list');
  k.kubectlOk(['patch', 'cm', 'watched', '-n', 'w', '--type=merge', '-p', '{"data":{"v":"changed"}}']);
  await eventually(() => /watched\s+changed/.test(w.output()), 'modification streamed');
  w.stop();
});

test('client-node Watch receives ADDED, MODIFIED, DELETED in order', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const events: string[] = [];
  const watch = new k8s.Watch(kc);
  const list = await core.listNamespacedConfigMap({ namespace: 'w' });
  const req = await watch.watch('/api/v1/namespaces/w/configmaps', { resourceVersion: list.metadata!.resourceVersion }, (type, obj) => {
    if (obj.metadata?.name === 'ordered') events.push(type);
  }, () => undefined);
  await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'ordered' }, data: { a: '1' } } });
  await core.patchNamespacedConfigMap({ namespace: 'w', name: 'ordered', body: { data: { a: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ namespace: 'w', name: 'ordered' });
  await eventually(() => events.length >= 3, 'three events');
  assert.deepEqual(events, ['ADDED', 'MODIFIED', 'DELETED']);
  req.abort();
});

test('a watch from an expired resourceVersion gets 410 Gone, and an informer recovers by relisting', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const old = (await core.listNamespacedConfigMap({ namespace: 'w' })).metadata!.resourceVersion!;
  for (let i = 0; i < 60; i++) await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: `filler-${i}` } } });
  const res = await fetch(`${k.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${old}`);
  const text = await res.text();
  const first = JSON.parse(text.split('\n')[0]);
  assert.equal(first.type, 'ERROR');
  assert.equal(first.object.code, 410);
  assert.equal(first.object.reason, 'Expired');

  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/w/configmaps', () => core.listNamespacedConfigMap({ namespace: 'w' }));
  const seen = new Set<string>();
  informer.on('add', (o) => seen.add(o.metadata!.name!));
  informer.on('delete', (o) => seen.delete(o.metadata!.name!));
  await informer.start();
  await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'after-start' } } });
  await eventually(() => seen.has('after-start') && seen.has('filler-59'), 'informer sees list and new object');
  await core.deleteNamespacedConfigMap({ namespace: 'w', name: 'filler-0' });
  await eventually(() => !seen.has('filler-0'), 'informer sees deletion');
  await informer.stop();
});

test('watch with label selector reports objects leaving the selection as DELETED', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'sel', labels: { pick: 'yes' } } } });
  const rv = (await core.listNamespacedConfigMap({ namespace: 'w' })).metadata!.resourceVersion!;
  const events: string[] = [];
  const req = await new k8s.Watch(kc).watch('/api/v1/namespaces/w/configmaps', { resourceVersion: rv, labelSelector: 'pick=yes' }, (type, obj) => events.push(`${type}:${obj.metadata?.name ?? ''}`), () => undefined);
  await core.patchNamespacedConfigMap({ namespace: 'w', name: 'sel', body: { metadata: { labels: { pick: 'no' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await eventually(() => events.length > 0, 'selection change');
  assert.deepEqual(events, ['DELETED:sel']);
  req.abort();
});

test('bookmarks and sendInitialEvents', async () => {
  const res = await fetch(`${k.url}/api/v1/namespaces/w/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  const last = lines[lines.length - 1];
  assert.equal(last.type, 'BOOKMARK');
  assert.equal(last.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  assert.ok(lines.slice(0, -1).every((l) => l.type === 'ADDED'));
  assert.ok(lines.length > 10);
});
