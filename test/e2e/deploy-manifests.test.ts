/**
 * The whole of deploy/ applied to the embedded cluster the way a real cluster takes it (server-side
 * apply, RBAC on, every caller authenticated), then every component's ServiceAccount asked with
 * `kubectl auth can-i` for what its code calls (yes) and for what it must not do (no).
 *
 * Each ServiceAccount speaks for itself: a token from the TokenRequest API (`kubectl create token`),
 * so can-i runs a SelfSubjectAccessReview as that account. (`--as` impersonation would be the usual
 * spelling; the embedded API server does not implement impersonation.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { renderText } from '../deploy/render.ts';

/** A check: `verb resource` where resource may be `pods/log` (a subresource) or `crd//name` (a resource name). */
type Can = `${string} ${string}`;
/** Where the check is asked: a namespace, or `*` for every namespace (cluster-wide, -A), or `-` for a cluster-scoped kind. */
interface Needs {
  namespace: string;
  sa: string;
  /** Namespace -> checks that must be allowed. */
  may: Record<string, Can[]>;
  /** Namespace -> checks that must be denied. */
  mayNot: Record<string, Can[]>;
}

const SYSTEM = 'kubernaut-system';
const WORKFLOWS = 'kubernaut-workflows';
/** A namespace of the user's workloads. */
const APP = 'demo-app';
const KA = 'kubernaut.ai';

/**
 * What each component needs, from the calls in its code (see the comments in deploy/kubernetes),
 * and a few things it must never be able to do.
 */
const NEEDS: Record<string, Needs> = {
  gateway: {
    namespace: SYSTEM,
    sa: 'kubernaut-gateway',
    may: {
      [APP]: [`create remediationrequests.${KA}`, `list remediationrequests.${KA}`, `get remediationrequests.${KA}`, `update remediationrequests.${KA}/status`, 'get leases.coordination.k8s.io', 'create leases.coordination.k8s.io', 'update leases.coordination.k8s.io', 'delete leases.coordination.k8s.io', 'get pods', 'get statefulsets.apps', 'get deployments.apps', 'get replicasets.apps', 'get persistentvolumeclaims', 'get jobs.batch', 'get horizontalpodautoscalers.autoscaling', 'get poddisruptionbudgets.policy'],
      '-': ['get namespaces', 'get nodes', 'get persistentvolumes', 'create tokenreviews.authentication.k8s.io', 'create subjectaccessreviews.authorization.k8s.io'],
      '*': [`create auditevents.${KA}`],
    },
    mayNot: {
      [APP]: ['patch deployments.apps', 'delete pods', 'get secrets', 'list pods', 'create pods', `delete remediationrequests.${KA}`, `patch remediationrequests.${KA}`, `create signalprocessings.${KA}`, 'list leases.coordination.k8s.io'],
      '*': [`create signals.${KA}`, `list auditevents.${KA}`, `create workflows.${KA}`],
    },
  },
  datastorage: {
    namespace: SYSTEM,
    sa: 'kubernaut-datastorage',
    may: { '-': ['create tokenreviews.authentication.k8s.io', 'create subjectaccessreviews.authorization.k8s.io'] },
    mayNot: { [APP]: ['get pods', 'get secrets', `create remediationrequests.${KA}`], [SYSTEM]: ['get configmaps', 'get secrets'], '*': [`create auditevents.${KA}`] },
  },
  controllers: {
    namespace: SYSTEM,
    sa: 'kubernaut-controllers',
    may: {
      '*': [
        `list remediationrequests.${KA}`, `watch remediationrequests.${KA}`, `delete remediationrequests.${KA}`,
        ...['signalprocessings', 'aianalyses', 'remediationapprovalrequests', 'workflowexecutions', 'effectivenessassessments', 'notificationrequests'].flatMap((r): Can[] => [`watch ${r}.${KA}`, `create ${r}.${KA}`, `delete ${r}.${KA}`, `update ${r}.${KA}/status`]),
        `update remediationrequests.${KA}/status`,
        `create auditevents.${KA}`, `list remediationhistories.${KA}`, `get workflows.${KA}`, `create investigations.${KA}`, `get investigations.${KA}`,
        'list pods', 'list statefulsets.apps',
      ],
      [APP]: ['create events', 'patch events', 'get pods', 'get deployments.apps', 'get statefulsets.apps', 'get persistentvolumeclaims', 'get configmaps'],
      '-': ['get namespaces', 'get nodes', 'get persistentvolumes'],
      [SYSTEM]: ['get leases.coordination.k8s.io', 'create leases.coordination.k8s.io', 'update leases.coordination.k8s.io', 'watch configmaps', 'list configmaps'],
      [WORKFLOWS]: ['create jobs.batch', 'delete jobs.batch', 'watch jobs.batch', 'list pods', 'get pods/log', 'get secrets', 'get configmaps'],
    },
    mayNot: {
      [APP]: ['create jobs.batch', 'create leases.coordination.k8s.io', 'get secrets', 'list configmaps', 'patch deployments.apps', 'delete pods', 'create pods/exec', 'get pods/log', `create remediationrequests.${KA}`, `update remediationrequests.${KA}`, `patch aianalyses.${KA}`],
      [WORKFLOWS]: ['list secrets', 'create pods', 'update jobs.batch'],
      '*': [`create workflows.${KA}`, `list auditevents.${KA}`],
    },
  },
  investigator: {
    namespace: SYSTEM,
    sa: 'kubernaut-investigator',
    may: {
      '*': ['list pods', 'list deployments.apps', 'list events', 'list persistentvolumeclaims', `list remediationrequests.${KA}`, `list aianalyses.${KA}`, `list workflows.${KA}`, `get workflows.${KA}`, `list remediationhistories.${KA}`, `create auditevents.${KA}`],
      [APP]: ['get pods', 'get pods/log', 'get statefulsets.apps', 'get configmaps', 'get endpointslices.discovery.k8s.io', 'get networkpolicies.networking.k8s.io'],
      '-': ['get nodes', 'get namespaces', 'get persistentvolumes', 'get storageclasses.storage.k8s.io', 'create tokenreviews.authentication.k8s.io', 'create subjectaccessreviews.authorization.k8s.io'],
    },
    mayNot: {
      [APP]: ['get secrets', 'delete pods', 'create pods/exec', 'create pods/portforward', 'create pods/attach', 'get services/proxy', 'patch deployments.apps', 'update statefulsets.apps', 'create events', `create remediationrequests.${KA}`, `update aianalyses.${KA}/status`],
      '*': ['list secrets', 'watch pods', `create investigations.${KA}`, `create workflows.${KA}`],
      '-': ['get nodes/proxy', 'delete nodes'],
    },
  },
  alerting: {
    namespace: SYSTEM,
    sa: 'kubernaut-alerting',
    may: {
      '*': ['list prometheusrules.monitoring.coreos.com', 'watch prometheusrules.monitoring.coreos.com', `create signals.${KA}`],
      [APP]: ['create events'],
      '-': ['get customresourcedefinitions.apiextensions.k8s.io//prometheusrules.monitoring.coreos.com'],
    },
    mayNot: {
      '-': ['get customresourcedefinitions.apiextensions.k8s.io//remediationrequests.kubernaut.ai', 'create customresourcedefinitions.apiextensions.k8s.io', 'create tokenreviews.authentication.k8s.io'],
      [APP]: ['get pods', 'get secrets', 'create prometheusrules.monitoring.coreos.com', `create remediationrequests.${KA}`],
    },
  },
  alertmanager: {
    // kube-prometheus-stack's Alertmanager (deploy/monitoring/kube-prometheus-stack-gateway-auth.yaml).
    namespace: 'monitoring',
    sa: 'kubernaut-alertmanager',
    may: { '*': [`create signals.${KA}`] },
    mayNot: { [APP]: ['get pods'], '*': [`create remediationrequests.${KA}`] },
  },
  'mock-llm': {
    namespace: SYSTEM,
    sa: 'kubernaut-mock-llm',
    may: {},
    mayNot: { [APP]: ['get pods', 'list configmaps'], '*': [`create investigations.${KA}`] },
  },
  console: {
    namespace: SYSTEM,
    sa: 'kubernaut-console',
    may: {
      '*': [
        ...['remediationrequests', 'signalprocessings', 'aianalyses', 'remediationapprovalrequests', 'workflowexecutions', 'effectivenessassessments', 'notificationrequests'].flatMap((r): Can[] => [`list ${r}.${KA}`, `watch ${r}.${KA}`]),
        `update remediationapprovalrequests.${KA}/status`,
        `list auditevents.${KA}`, `get auditevents.${KA}`, `list workflows.${KA}`, `get workflows.${KA}`, `list remediationhistories.${KA}`,
      ],
      [APP]: [`get remediationapprovalrequests.${KA}`, `get remediationrequests.${KA}`],
      [WORKFLOWS]: ['list pods', 'get pods/log'],
      '-': ['create tokenreviews.authentication.k8s.io', 'create subjectaccessreviews.authorization.k8s.io'],
    },
    mayNot: {
      [APP]: ['get secrets', 'list pods', 'get pods/log', 'create pods/exec', `delete remediationrequests.${KA}`, `create remediationrequests.${KA}`, `update remediationrequests.${KA}/status`, `update remediationapprovalrequests.${KA}`, `delete remediationapprovalrequests.${KA}`, `patch remediationapprovalrequests.${KA}/status`, `update aianalyses.${KA}/status`],
      [WORKFLOWS]: ['get secrets', 'create pods', 'delete jobs.batch'],
      '*': ['list secrets', `create auditevents.${KA}`, `create workflows.${KA}`, `create signals.${KA}`, `create investigations.${KA}`, `list remediationworkflows.${KA}`],
    },
  },
  'a person bound to kubernaut-viewer': {
    // deploy/kubernetes/05-service-auth.yaml's roles for people, bound in the test (see before()).
    namespace: APP,
    sa: 'viewer',
    may: { '*': [`list remediationrequests.${KA}`, `list auditevents.${KA}`, `get workflows.${KA}`, `list remediationhistories.${KA}`] },
    mayNot: { '*': [`create workflows.${KA}`, `update remediationapprovalrequests.${KA}/status`, 'list secrets', `create auditevents.${KA}`] },
  },
  'a person bound to kubernaut-approver in one namespace': {
    namespace: APP,
    sa: 'approver',
    may: { [APP]: [`get remediationapprovalrequests.${KA}`, `update remediationapprovalrequests.${KA}/status`] },
    mayNot: { default: [`update remediationapprovalrequests.${KA}/status`], [APP]: [`update remediationapprovalrequests.${KA}`, `delete remediationapprovalrequests.${KA}`] },
  },
  'fix-statefulset-pvc-v1 runner': {
    // The workflow the reference scenario runs, under its own ServiceAccount (workflows/*/rbac.yaml).
    namespace: WORKFLOWS,
    sa: 'fix-statefulset-pvc-v1-runner',
    may: { [APP]: ['get statefulsets.apps', 'create persistentvolumeclaims', 'delete persistentvolumeclaims', 'delete pods'] },
    mayNot: { [APP]: ['get secrets', 'patch statefulsets.apps', 'delete statefulsets.apps', 'create pods/exec'], '-': ['delete persistentvolumes', 'patch nodes'] },
  },
};

let k: RunningKubernaut;
const applied: string[] = [];

/** `kubectl apply --server-side` of a rendered kustomization, as a person would run it. */
function applyServerSide(yaml: string): string {
  return k.kubectlOk(['apply', '--server-side', '--field-manager=kubernaut-deploy', '-f', '-'], { input: yaml, timeoutMs: 120_000 });
}

/**
 * Resources that only Kubernaut's own services know (checked with SubjectAccessReview by DataStorage,
 * the Gateway and the investigator): the API server does not serve them, so `kubectl auth can-i`
 * cannot map `auditevents.kubernaut.ai` to its group and would ask about a resource of that whole
 * name in the core group. For these, the SelfSubjectAccessReview is written out.
 */
const SERVICE_RESOURCES = new Set(['auditevents', 'workflows', 'remediationhistories', 'signals', 'investigations'].map((r) => `${r}.${KA}`));

/** `kubectl auth can-i` as the ServiceAccount itself: yes/no, never an error. */
function canI(token: string, check: Can, namespace: string): boolean {
  const [verb, target] = check.split(' ');
  const [resourcePart, name] = target.split('//');
  const [resource, subresource] = resourcePart.split('/');
  if (SERVICE_RESOURCES.has(resource)) {
    assert.equal(namespace, '*', `${check}: the services ask cluster-wide`);
    const [plural, ...group] = resource.split('.');
    const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: group.join('.'), resource: plural, verb } } };
    const out = k.kubectlOk(['create', '--validate=false', '-f', '-', '-o', 'jsonpath={.status.allowed}', `--token=${token}`], { input: JSON.stringify(review) });
    return out.trim() === 'true';
  }
  const args = ['auth', 'can-i', verb, name ? `${resource}/${name}` : resource, `--token=${token}`];
  if (subresource) args.push(`--subresource=${subresource}`);
  if (namespace === '*') args.push('--all-namespaces');
  else if (namespace !== '-') args.push('-n', namespace);
  const r = k.kubectl(args);
  const answer = r.stdout.trim();
  // A warning means kubectl could not map the resource: the answer would be about something else.
  assert.ok((answer === 'yes' || answer === 'no') && !/doesn't have a resource type/.test(r.stderr), `kubectl ${args.join(' ').replace(token, '<token>')}: ${r.stderr}${r.stdout}`);
  return answer === 'yes';
}

before(async () => {
  // The API server alone, as a real one: bearer tokens required, RBAC authorizing, TLS.
  k = await startKubernaut({ args: ['--ephemeral', '--tls', '--require-auth', '--rbac', '--no-control-plane', '--no-gateway', '--no-datastorage', '--no-controllers', '--no-investigator', '--prometheus', 'none'] });
  // A workload namespace, and the ServiceAccount kube-prometheus-stack creates for Alertmanager
  // (deploy/monitoring/kube-prometheus-stack-gateway-auth.yaml).
  k.kubectlOk(['create', 'namespace', APP]);
  k.kubectlOk(['create', 'namespace', 'monitoring']);
  k.kubectlOk(['create', 'serviceaccount', 'kubernaut-alertmanager', '-n', 'monitoring']);
  // Two people, as ServiceAccounts: a cluster-wide viewer and an approver for one namespace.
  k.kubectlOk(['create', 'serviceaccount', 'viewer', '-n', APP]);
  k.kubectlOk(['create', 'serviceaccount', 'approver', '-n', APP]);
  k.kubectlOk(['create', 'clusterrolebinding', 'test-viewer', '--clusterrole=kubernaut-viewer', `--serviceaccount=${APP}:viewer`]);
  k.kubectlOk(['create', 'rolebinding', 'test-approver', '-n', APP, '--clusterrole=kubernaut-approver', `--serviceaccount=${APP}:approver`]);
});
after(async () => {
  await k?.stop();
});

test('deploy/ applies server-side: the CRDs, every overlay, the Secret templates and the workflow runners', async () => {
  const crds = applyServerSide(renderText('deploy/crds'));
  assert.match(crds, /customresourcedefinition\.apiextensions\.k8s\.io\/remediationworkflows\.kubernaut\.ai serverside-applied/);
  k.kubectlOk(['wait', '--for', 'condition=Established', 'crd', '-l', 'app.kubernetes.io/part-of=kubernaut', '--timeout=60s']);
  // Later overlays re-apply the shared objects with the same field manager: no conflicts.
  for (const overlay of ['with-kube-prometheus-stack', 'with-postgresql', 'with-embedded-alerting', 'dev']) {
    const out = applyServerSide(renderText(`deploy/kustomize/overlays/${overlay}`));
    applied.push(...out.trim().split('\n'));
    assert.doesNotMatch(out, /error|conflict/i, overlay);
  }
  for (const file of readdirSync(join(ROOT, 'deploy/kubernetes/secrets'))) {
    k.kubectlOk(['apply', '--server-side', '--field-manager=kubernaut-deploy', '-f', join(ROOT, 'deploy/kubernetes/secrets', file)]);
  }
  for (const kind of ['customresourcedefinition', 'namespace', 'serviceaccount', 'clusterrole', 'clusterrolebinding', 'role', 'rolebinding', 'configmap', 'secret', 'service', 'deployment', 'statefulset', 'poddisruptionbudget', 'remediationworkflow']) {
    assert.ok(applied.some((l) => l.startsWith(`${kind}.`) || l.startsWith(`${kind}/`)) || kind === 'customresourcedefinition', `some ${kind} applied`);
  }
  // What `kubectl get` then shows an operator.
  const deployments = k.kubectlOk(['get', 'deployments', '-n', SYSTEM, '-o', 'name']).trim().split('\n').sort();
  assert.deepEqual(deployments, ['alerting', 'console', 'controllers', 'datastorage', 'gateway', 'investigator', 'mock-llm'].map((n) => `deployment.apps/kubernaut-${n}`));
  const workflows = k.kubectlOk(['get', 'remediationworkflows', '-n', SYSTEM, '-o', 'name']);
  for (const dir of readdirSync(join(ROOT, 'workflows'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    assert.match(workflows, new RegExp(`remediationworkflow.kubernaut.ai/${dir.name}\\b`));
  }
});

test('re-applying is a no-op for the server (idempotent, no field conflicts)', () => {
  const out = applyServerSide(renderText('deploy/kustomize/overlays/dev'));
  assert.doesNotMatch(out, /conflict/i);
});

for (const [component, needs] of Object.entries(NEEDS)) {
  test(`RBAC of ${component} (${needs.namespace}/${needs.sa}): what its code calls, and nothing it must not do`, () => {
    const token = k.kubectlOk(['create', 'token', needs.sa, '-n', needs.namespace]).trim();
    const wrong: string[] = [];
    for (const [ns, checks] of Object.entries(needs.may)) for (const c of checks) if (!canI(token, c, ns)) wrong.push(`cannot ${c} in ${ns}`);
    for (const [ns, checks] of Object.entries(needs.mayNot)) for (const c of checks) if (canI(token, c, ns)) wrong.push(`can ${c} in ${ns}`);
    assert.deepEqual(wrong, []);
  });
}
