/**
 * deploy/ as a person applies it: every kustomization renders with the real `kubectl kustomize`, and
 * what it renders keeps the promises of the manifests (hardened pods, probes, resources, one image,
 * least privilege without wildcards, the shared NodePorts, the catalog mirroring workflows/). The
 * API server's view of the same objects is test/e2e/deploy-manifests.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../helpers/kubernaut-process.ts';
import { NODE_PORTS } from '../../src/stack/node-ports.ts';
import { staleWorkflowCatalogFiles } from '../../deploy/kustomize/workflow-catalog.ts';
import { find, KUSTOMIZATIONS, render, type K8sObject } from './render.ts';

const IMAGE = 'ghcr.io/kubernaut-ts/kubernaut:0.1.0';
const COMPONENTS = ['kubernaut-datastorage', 'kubernaut-gateway', 'kubernaut-controllers', 'kubernaut-investigator', 'kubernaut-console'];

const rendered = new Map(KUSTOMIZATIONS.map((k) => [k, render(k)]));
const objectsOf = (k: string) => rendered.get(k)!;
const podSpec = (d: K8sObject) => d.spec.template.spec;

test('every kustomization renders with kubectl kustomize', () => {
  for (const [k, objects] of rendered) assert.ok(objects.length > 0, `${k} renders objects`);
  assert.equal(objectsOf('deploy/crds').filter((o) => o.kind === 'CustomResourceDefinition').length, 8);
});

test('the base has one Deployment per component, the overlays add the alert source', () => {
  const deployments = (k: string) => objectsOf(k).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort();
  assert.deepEqual(deployments('deploy/kubernetes'), [...COMPONENTS].sort());
  assert.deepEqual(deployments('deploy/kustomize/overlays/with-kube-prometheus-stack'), [...COMPONENTS].sort());
  assert.deepEqual(deployments('deploy/kustomize/overlays/with-embedded-alerting'), [...COMPONENTS, 'kubernaut-alerting'].sort());
  assert.deepEqual(deployments('deploy/kustomize/overlays/dev'), [...COMPONENTS, 'kubernaut-alerting', 'kubernaut-mock-llm'].sort());
  assert.ok(find(objectsOf('deploy/kustomize/overlays/with-postgresql'), 'StatefulSet', 'kubernaut-postgresql'));
});

test('every pod is hardened, probed and bounded, and runs the one image by argument', () => {
  for (const [k, objects] of rendered) {
    for (const d of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const where = `${k}: ${d.kind} ${d.metadata.name}`;
      const pod = podSpec(d);
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${where} runAsNonRoot`);
      assert.ok(pod.securityContext?.runAsUser > 0, `${where} numeric non-root user`);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where} seccomp`);
      for (const c of pod.containers) {
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${where} no privilege escalation`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where} read-only root`);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${where} drops every capability`);
        assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${where} requests`);
        assert.ok(c.resources?.limits?.cpu && c.resources?.limits?.memory, `${where} limits`);
        assert.ok(c.readinessProbe && c.livenessProbe, `${where} probes`);
        const tmp = (c.volumeMounts ?? []).find((m: { mountPath: string }) => m.mountPath === '/tmp');
        assert.ok(tmp, `${where} a writable /tmp`);
        assert.ok(pod.volumes.some((v: { name: string; emptyDir?: object }) => v.name === tmp.name && v.emptyDir), `${where} /tmp is an emptyDir`);
        if (d.kind === 'Deployment') {
          assert.equal(c.image, IMAGE, where);
          assert.equal(c.command, undefined, `${where} keeps the image's ENTRYPOINT`);
          const component = d.metadata.name.replace(/^kubernaut-/, '');
          assert.equal(c.args[0], component, `${where} picks its component by the first argument`);
          // The commands listen on loopback by default: a pod must say 0.0.0.0.
          assert.equal(c.args[c.args.indexOf('--host') + 1], '0.0.0.0', `${where} --host 0.0.0.0`);
          if (component !== 'mock-llm') {
            assert.equal(c.readinessProbe.httpGet.path, '/readyz', where);
            assert.equal(c.livenessProbe.httpGet.path, '/healthz', where);
          }
        }
      }
      if (d.kind === 'Deployment') {
        const sa = pod.serviceAccountName;
        assert.ok(find(objects, 'ServiceAccount', sa), `${where}: its ServiceAccount ${sa} is part of the same kustomization`);
      }
    }
  }
});

test('services that take requests require tokens; the controllers elect leaders with two replicas', () => {
  const objects = objectsOf('deploy/kustomize/overlays/with-embedded-alerting');
  const args = (name: string) => podSpec(find(objects, 'Deployment', name)!).containers[0].args as string[];
  for (const name of ['kubernaut-datastorage', 'kubernaut-gateway', 'kubernaut-investigator', 'kubernaut-console']) assert.equal(args(name)[args(name).indexOf('--auth') + 1], 'tokenreview', name);
  for (const name of ['kubernaut-gateway', 'kubernaut-controllers', 'kubernaut-investigator', 'kubernaut-console']) assert.ok(args(name).includes('--datastorage-token-file'), `${name} presents its token to DataStorage`);
  assert.ok(args('kubernaut-alerting').includes('--gateway-token-file'), 'the alerting presents its token to the Gateway');
  const controllers = find(objects, 'Deployment', 'kubernaut-controllers')!;
  assert.equal(controllers.spec.replicas, 2);
  assert.ok(!args('kubernaut-controllers').includes('--no-leader-elect'), 'leader election stays on');
  // Sessions (investigator, console) and alert state live in memory: exactly one of each.
  assert.equal(find(objects, 'Deployment', 'kubernaut-investigator')!.spec.replicas, 1);
  assert.equal(find(objects, 'Deployment', 'kubernaut-alerting')!.spec.replicas, 1);
  assert.equal(find(objects, 'Deployment', 'kubernaut-console')!.spec.replicas, 1);
});

test('the alert source is one ConfigMap: kube-prometheus-stack by default, the embedded alerting in its overlay', () => {
  const urls = (k: string) => objectsOf(k).find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kubernaut-alert-source-'))!.data;
  assert.deepEqual(urls('deploy/kustomize/overlays/with-kube-prometheus-stack'), { 'prometheus-url': 'http://prometheus-operated.monitoring:9090', 'alertmanager-url': 'http://alertmanager-operated.monitoring:9093' });
  assert.deepEqual(urls('deploy/kustomize/overlays/with-embedded-alerting'), { 'prometheus-url': 'http://kubernaut-alerting.kubernaut-system:9190', 'alertmanager-url': 'http://kubernaut-alerting.kubernaut-system:9190' });
});

test('the dev overlay publishes the NodePorts that `kubernaut up --config` shares, and needs no Secret', () => {
  const objects = objectsOf('deploy/kustomize/overlays/dev');
  const nodePort = (name: string) => find(objects, 'Service', name)!.spec.ports[0].nodePort;
  assert.equal(nodePort('kubernaut-gateway-nodeport'), NODE_PORTS.gateway);
  assert.equal(nodePort('kubernaut-alerting-nodeport'), NODE_PORTS.prometheus);
  assert.equal(nodePort('kubernaut-console-nodeport'), NODE_PORTS.console);
  const ds = podSpec(find(objects, 'Deployment', 'kubernaut-datastorage')!).containers[0];
  assert.ok(!ds.args.includes('--database-url') && ds.env === undefined, 'DataStorage runs on PGlite');
  assert.match(find(objects, 'ConfigMap', 'kubernaut-llm')!.data['llm.yaml'], /endpoint: http:\/\/kubernaut-mock-llm\.kubernaut-system:8089\/v1/);
  // Without a NodePort the base stays reachable from inside the cluster only.
  assert.ok(!objectsOf('deploy/kubernetes').some((o) => o.kind === 'Service' && o.spec.type === 'NodePort'));
});

test('RBAC: no wildcards, no escalation verbs, Secrets only where a workflow\'s dependencies are checked', () => {
  for (const [k, objects] of rendered) {
    for (const role of objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
      for (const rule of role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>) {
        const where = `${k}: ${role.kind} ${role.metadata.name} ${JSON.stringify(rule)}`;
        assert.ok(![...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*'), where);
        assert.ok(!rule.verbs.some((v) => ['escalate', 'bind', 'impersonate'].includes(v)), where);
        assert.ok(!rule.resources.some((r) => /\/(exec|attach|portforward|proxy)$/.test(r)), where);
        if (rule.resources.includes('secrets')) {
          assert.equal(role.kind, 'Role', `${where}: Secrets never cluster-wide`);
          assert.deepEqual(rule.verbs, ['get'], where);
        }
      }
    }
  }
});

test('the policy and routing ConfigMaps carry the names and keys the controllers watch', async () => {
  const { DEFAULT_POLICY_CONFIGMAP } = await import('../../src/remediation/signalprocessing/policy-configmap.ts');
  const { DEFAULT_APPROVAL_CONFIGMAP } = await import('../../src/remediation/aianalysis/approval-definitions.ts');
  const { DEFAULT_ROUTING_CONFIGMAP, ROUTING_KEY } = await import('../../src/remediation/notification/routing-store.ts');
  const { parseRoutingYaml, DEFAULT_ROUTING_CONFIG } = await import('../../src/remediation/notification/routing-config.ts');
  const objects = objectsOf('deploy/kubernetes');
  for (const name of [DEFAULT_POLICY_CONFIGMAP, DEFAULT_APPROVAL_CONFIGMAP, DEFAULT_ROUTING_CONFIGMAP]) {
    assert.equal(find(objects, 'ConfigMap', name)?.metadata.namespace, 'kubernaut-system', name);
  }
  const routing = find(objects, 'ConfigMap', DEFAULT_ROUTING_CONFIGMAP)!.data[ROUTING_KEY];
  assert.deepEqual(parseRoutingYaml(routing), DEFAULT_ROUTING_CONFIG);
  const { loadLlmConfig } = await import('../../src/investigator/llm/config.ts');
  const llm = YAML.parse(find(objectsOf('deploy/kustomize/overlays/dev'), 'ConfigMap', 'kubernaut-llm')!.data['llm.yaml']);
  assert.equal(loadLlmConfig({ env: {}, overrides: llm }).provider, 'openai-compatible');
});

test('the workflow-catalog component mirrors workflows/ (regenerate with deploy/kustomize/workflow-catalog.ts)', () => {
  assert.deepEqual(staleWorkflowCatalogFiles(), []);
  const objects = objectsOf('deploy/kubernetes');
  const workflows = objects.filter((o) => o.kind === 'RemediationWorkflow');
  assert.ok(workflows.some((w) => w.metadata.name === 'fix-statefulset-pvc-v1' && w.spec.execution.serviceAccountName === 'fix-statefulset-pvc-v1-runner'));
  for (const w of workflows) {
    const sa = w.spec.execution.serviceAccountName;
    assert.equal(find(objects, 'ServiceAccount', sa)?.metadata.namespace, 'kubernaut-workflows', `${w.metadata.name}: its runner ${sa}`);
  }
});

test('kube-prometheus-stack: the token-carrying values reach the Gateway as the ServiceAccount the overlay binds', () => {
  const auth = YAML.parse(readFileSync(join(ROOT, 'deploy/monitoring/kube-prometheus-stack-gateway-auth.yaml'), 'utf8'));
  const plain = YAML.parse(readFileSync(join(ROOT, 'deploy/monitoring/kube-prometheus-stack-values.yaml'), 'utf8'));
  // Helm replaces lists: the auth file's receivers must be the plain file's plus the token.
  const [receiver] = auth.alertmanager.config.receivers;
  const [plainReceiver] = plain.alertmanager.config.receivers;
  assert.equal(receiver.name, plain.alertmanager.config.route.receiver);
  assert.equal(receiver.webhook_configs[0].url, plainReceiver.webhook_configs[0].url);
  const tokenFile: string = receiver.webhook_configs[0].http_config.authorization.credentials_file;
  const mount = auth.alertmanager.alertmanagerSpec.volumeMounts.find((m: { mountPath: string }) => tokenFile.startsWith(`${m.mountPath}/`));
  assert.ok(mount, 'the token file is on a mounted volume');
  const volume = auth.alertmanager.alertmanagerSpec.volumes.find((v: { name: string }) => v.name === mount.name);
  assert.equal(volume.projected.sources[0].serviceAccountToken.path, tokenFile.slice(mount.mountPath.length + 1));
  const binding = find(objectsOf('deploy/kustomize/overlays/with-kube-prometheus-stack'), 'ClusterRoleBinding', 'kubernaut-alertmanager-signal-sender')!;
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: auth.alertmanager.serviceAccount.name, namespace: 'monitoring' }]);
  assert.equal(binding.roleRef.name, 'kubernaut-signal-sender');
});
