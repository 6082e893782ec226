/**
 * `kubernaut up --config`: the kind cluster configuration parser, on the scenario's real file and
 * on what kind accepts (and refuses) beside it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { kindNodeNames, KindConfigError, loadKindConfig, nodeNamesForCount, parseKindConfig } from '../../src/cli/kind-config.ts';
import { NODE_PORTS } from '../../src/stack/node-ports.ts';

const SCENARIO_CONFIG = new URL('../../deploy/demo/scenarios/kind-config-singlenode.yaml', import.meta.url).pathname;

test('the scenario config: one node named as kind names it, the Gateway on 30080, the alerts page on 9190', () => {
  const plan = loadKindConfig(SCENARIO_CONFIG);
  assert.equal(plan.clusterName, 'kind');
  assert.deepEqual(plan.nodeNames, ['kind-control-plane']);
  assert.deepEqual(plan.ports, { gateway: 30080, prometheus: 9190 });
  assert.deepEqual(plan.warnings, []);
  assert.deepEqual(plan.ignored, []);
  // The file's mappings are the NodePorts of the table the deploy/ manifests use too.
  const text = readFileSync(SCENARIO_CONFIG, 'utf8');
  assert.match(text, new RegExp(`containerPort: ${NODE_PORTS.gateway}\\b`));
  assert.match(text, new RegExp(`containerPort: ${NODE_PORTS.prometheus}\\b`));
});

test('nodes: control planes first, then workers, each numbered from the second on; the cluster name prefixes them', () => {
  const plan = parseKindConfig(
    ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'name: demo', 'nodes:', '- role: worker', '- role: control-plane', '- role: worker', '- role: worker'].join('\n'),
    'c.yaml',
  );
  assert.deepEqual(plan.nodeNames, ['demo-control-plane', 'demo-worker', 'demo-worker2', 'demo-worker3']);
  assert.deepEqual(kindNodeNames('kind', ['control-plane', 'control-plane', 'worker']), ['kind-control-plane', 'kind-control-plane2', 'kind-worker']);
  // --nodes N spells the same names as a config with one control plane and N-1 workers.
  assert.deepEqual(nodeNamesForCount(3), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
  assert.deepEqual(nodeNamesForCount(1), ['kind-control-plane']);
});

test('no nodes: one control-plane node, as kind creates', () => {
  const plan = parseKindConfig('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n', 'c.yaml');
  assert.deepEqual(plan.nodeNames, ['kind-control-plane']);
  assert.deepEqual(plan.ports, {});
});

test('fields kind has and the embedded cluster does not simulate are listed as ignored', () => {
  const plan = parseKindConfig(
    [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'networking: { ipFamily: ipv4, disableDefaultCNI: true }',
      'featureGates: { SomeGate: true }',
      'kubeadmConfigPatches: ["kind: ClusterConfiguration"]',
      'nodes:',
      '- role: control-plane',
      '  image: kindest/node:v1.31.0',
      '  extraMounts: [{ hostPath: /tmp, containerPath: /data }]',
      '  extraPortMappings: [{ containerPort: 30080, hostPort: 8080, listenAddress: 0.0.0.0 }]',
    ].join('\n'),
    'c.yaml',
  );
  assert.deepEqual(plan.ignored, ['networking', 'featureGates', 'kubeadmConfigPatches', 'nodes[0].image', 'nodes[0].extraMounts', 'nodes[0].extraPortMappings[0].listenAddress']);
  assert.deepEqual(plan.ports, { gateway: 8080 });
});

test('mappings the stack cannot honour are warned about and ignored; a mapping without hostPort keeps the port', () => {
  const plan = parseKindConfig(
    [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'nodes:',
      '- role: control-plane',
      '  extraPortMappings:',
      '  - { containerPort: 80, hostPort: 8080 }',
      '  - { containerPort: 30081, hostPort: 8081 }',
      '  - { containerPort: 30190, hostPort: 9191, protocol: UDP }',
      '  - { containerPort: 30190 }',
      '- role: worker',
      '  extraPortMappings: [{ containerPort: 30190, hostPort: 9999 }]',
    ].join('\n'),
    'c.yaml',
  );
  assert.deepEqual(plan.ports, { prometheus: 30190 });
  assert.equal(plan.warnings.length, 4, plan.warnings.join('\n'));
  assert.match(plan.warnings[0], /nodes\[0\]\.extraPortMappings\[0\]: containerPort 80 is none of Kubernaut's NodePorts \(gateway 30080, prometheus 30190, console 30300\); ignored/);
  assert.match(plan.warnings[1], /containerPort 30081 \(dataStorage\) is reserved/);
  assert.match(plan.warnings[2], /speaks TCP, not UDP/);
  assert.match(plan.warnings[3], /nodes\[1\]\.extraPortMappings\[0\]: prometheus is already mapped to hostPort 30190/);
});

test('invalid YAML, another kind, another apiVersion and bad fields are clear errors', () => {
  const refuse = (text: string, message: RegExp) => assert.throws(() => parseKindConfig(text, 'c.yaml'), (e: unknown) => e instanceof KindConfigError && message.test(e.message));
  refuse('kind: Cluster\n  apiVersion: [', /^c\.yaml is not valid YAML \(line \d+\)/);
  refuse('- just\n- a list\n', /^c\.yaml is not a kind cluster configuration/);
  refuse('', /^c\.yaml is not a kind cluster configuration/);
  refuse('kind: Deployment\napiVersion: apps/v1\n', /^c\.yaml is a Deployment of apps\/v1, not a kind cluster configuration \(kind: Cluster, apiVersion: kind\.x-k8s\.io\/v1alpha4\)/);
  refuse('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n', /is a Cluster of kind\.x-k8s\.io\/v1alpha3, not a kind cluster configuration/);
  refuse('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [{ role: master }]\n', /^c\.yaml: nodes\.0\.role: /);
  refuse('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [{ role: worker }]\n', /needs a control-plane node/);
  refuse('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [{ extraPortMappings: [{ containerPort: 70000 }] }]\n', /nodes\.0\.extraPortMappings\.0\.containerPort/);
  refuse('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: Not_A_Name\n', /^c\.yaml: name: must be lowercase/);
  assert.throws(() => loadKindConfig('/nonexistent/kind.yaml'), /cannot read \/nonexistent\/kind\.yaml: no such file/);
});
