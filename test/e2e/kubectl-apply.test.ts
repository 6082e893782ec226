/**
 * `kubectl apply` of the reference scenario's manifests against `kubernaut up`: client-side
 * and server-side, unchanged on re-apply, configured on change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

const MANIFESTS = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests');
const PROMRULE_CRD = join(ROOT, 'deploy/crds/third-party/monitoring.coreos.com_prometheusrules.yaml');
let k: RunningKubernaut;

before(async () => {
  // Without alerting, so the cluster starts without the PrometheusRule CRD (applied by a test below).
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--prometheus', 'none'] });
});
after(async () => {
  await k.stop();
});

test('apply creates the namespace, then StatefulSet + Service + ConfigMap from one multi-document file', () => {
  assert.match(k.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml')]), /namespace\/demo-statefulset created/);
  const out = k.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
  assert.match(out, /configmap\/kv-store-config created/);
  assert.match(out, /service\/kv-store created/);
  assert.match(out, /statefulset.apps\/kv-store created/);
  const sts = JSON.parse(k.kubectlOk(['get', 'statefulset', 'kv-store', '-n', 'demo-statefulset', '-o', 'json']));
  assert.equal(sts.spec.replicas, 3);
  assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
  // Server-side defaults a real cluster fills in.
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.equal(sts.spec.updateStrategy.type, 'RollingUpdate');
  assert.equal(sts.spec.template.spec.restartPolicy, 'Always');
  assert.equal(sts.metadata.generation, 1);
  assert.ok(sts.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  const svc = JSON.parse(k.kubectlOk(['get', 'svc', 'kv-store', '-n', 'demo-statefulset', '-o', 'json']));
  assert.equal(svc.spec.clusterIP, 'None');
});

test('re-applying the same files changes nothing', () => {
  const specOf = () => {
    const sts = JSON.parse(k.kubectlOk(['get', 'sts', 'kv-store', '-n', 'demo-statefulset', '-o', 'json']));
    return { generation: sts.metadata.generation, spec: sts.spec, applied: sts.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] };
  };
  const before = specOf();
  const out = k.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
  assert.match(out, /configmap\/kv-store-config unchanged/);
  assert.match(out, /service\/kv-store unchanged/);
  // kubectl itself sends volumeClaimTemplates again (an atomic list the server fills with
  // defaults: volumeMode, status.phase), as against a real cluster, so it may print "configured";
  // the server must still see no change: same spec, same generation. (The resourceVersion may
  // move: the StatefulSet controller keeps writing status while the pods start.)
  assert.match(out, /statefulset.apps\/kv-store (unchanged|configured)/);
  assert.deepEqual(specOf(), before);
});

test('changing a field and re-applying patches it and bumps the generation', () => {
  const changed = readFileSync(join(MANIFESTS, 'statefulset.yaml'), 'utf8').replace('nginx:1.27-alpine', 'nginx:1.28-alpine');
  const out = k.kubectlOk(['apply', '-f', '-'], { input: changed });
  assert.match(out, /statefulset.apps\/kv-store configured/);
  assert.match(out, /configmap\/kv-store-config unchanged/);
  const sts = JSON.parse(k.kubectlOk(['get', 'sts', 'kv-store', '-n', 'demo-statefulset', '-o', 'json']));
  assert.equal(sts.spec.template.spec.containers[0].image, 'nginx:1.28-alpine');
  assert.equal(sts.metadata.generation, 2);
  // The strategic merge kept the container's other fields (ports, probes, mounts).
  assert.equal(sts.spec.template.spec.containers[0].volumeMounts.length, 2);
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'statefulset.yaml')]);
});

test('a PrometheusRule applies once its CRD is applied, and is served by kind and short name', () => {
  const before = k.kubectl(['apply', '-f', join(MANIFESTS, 'prometheus-rule.yaml')]);
  assert.notEqual(before.code, 0);
  assert.match(before.stderr, /no matches for kind "PrometheusRule"|ensure CRDs are installed/);
  assert.match(k.kubectlOk(['apply', '-f', PROMRULE_CRD]), /customresourcedefinition.apiextensions.k8s.io\/prometheusrules.monitoring.coreos.com created/);
  k.kubectlOk(['wait', '--for=condition=Established', 'crd/prometheusrules.monitoring.coreos.com', '--timeout=10s']);
  assert.match(k.kubectlOk(['apply', '-f', join(MANIFESTS, 'prometheus-rule.yaml')]), /prometheusrule.monitoring.coreos.com\/kubernaut-statefulset-rules created/);
  assert.match(k.kubectlOk(['apply', '-f', join(MANIFESTS, 'prometheus-rule.yaml')]), /unchanged/);
  const rule = JSON.parse(k.kubectlOk(['get', 'promrule', 'kubernaut-statefulset-rules', '-n', 'demo-statefulset', '-o', 'json']));
  assert.equal(rule.spec.groups[0].rules[0].alert, 'KubernautStatefulSetReplicasMismatch');
  assert.equal(rule.spec.groups[0].rules[0].for, '3m');
  assert.match(k.kubectlOk(['get', 'prometheusrules', '-n', 'demo-statefulset']), /kubernaut-statefulset-rules/);
});

test('server-side apply creates, is a no-op when repeated, and updates on change', () => {
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-demo\n  namespace: demo-statefulset\ndata:\n  key: ${v}\n`;
  assert.match(k.kubectlOk(['apply', '--server-side', '-f', '-'], { input: cm('one') }), /configmap\/ssa-demo serverside-applied/);
  const rv1 = k.kubectlOk(['get', 'cm', 'ssa-demo', '-n', 'demo-statefulset', '-o', 'jsonpath={.metadata.resourceVersion}']);
  k.kubectlOk(['apply', '--server-side', '-f', '-'], { input: cm('one') });
  const rv2 = k.kubectlOk(['get', 'cm', 'ssa-demo', '-n', 'demo-statefulset', '-o', 'jsonpath={.metadata.resourceVersion}']);
  assert.equal(rv2, rv1);
  k.kubectlOk(['apply', '--server-side', '-f', '-'], { input: cm('two') });
  assert.equal(k.kubectlOk(['get', 'cm', 'ssa-demo', '-n', 'demo-statefulset', '-o', 'jsonpath={.data.key}']), 'two');
  const managed = JSON.parse(k.kubectlOk(['get', 'cm', 'ssa-demo', '-n', 'demo-statefulset', '-o', 'json', '--show-managed-fields']));
  assert.ok(managed.metadata.managedFields.some((f: any) => f.manager === 'kubectl' && f.operation === 'Apply'));
  // A different manager changing the same field conflicts, unless it forces.
  const conflict = k.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: cm('three') });
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /conflict/i);
  k.kubectlOk(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: cm('three') });
  assert.equal(k.kubectlOk(['get', 'cm', 'ssa-demo', '-n', 'demo-statefulset', '-o', 'jsonpath={.data.key}']), 'three');
});

test('server-side apply of a whole StatefulSet manifest works as well', () => {
  const out = k.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', join(MANIFESTS, 'statefulset.yaml')]);
  assert.match(out, /statefulset.apps\/kv-store serverside-applied/);
});
