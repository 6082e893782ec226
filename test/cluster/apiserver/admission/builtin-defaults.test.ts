import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultBuiltin, imageTag, podQOSClass, type Gvk } from '../../../../src/cluster/apiserver/admission/builtin-defaults.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';

const core = (kind: string): Gvk => ({ group: '', version: 'v1', kind });
const apps = (kind: string): Gvk => ({ group: 'apps', version: 'v1', kind });
const batch = (kind: string): Gvk => ({ group: 'batch', version: 'v1', kind });

function defaulted(gvk: Gvk, o: Record<string, unknown>, opts?: Parameters<typeof defaultBuiltin>[2]): KubeObject {
  const obj = structuredClone(o) as KubeObject;
  obj.metadata ??= { name: 'x', namespace: 'default' };
  defaultBuiltin(gvk, obj, opts);
  // Idempotent: a second pass changes nothing.
  const again = structuredClone(obj);
  defaultBuiltin(gvk, again, { ...opts, operation: opts?.operation ?? 'CREATE' });
  assert.deepEqual(again, obj, `${gvk.kind} defaulting is not idempotent`);
  return obj;
}

const podTemplate = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...extra },
});

describe('pod defaults', () => {
  const pod = defaulted(core('Pod'), {
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { port: 80 } },
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
      ],
      volumes: [
        { name: 'scratch' },
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'sec', secret: { secretName: 's' } },
        { name: 'host', hostPath: { path: '/data' } },
      ],
    },
  });
  const spec = pod.spec;
  const c = spec.containers[0];

  it('fills pod spec fields', () => {
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
  });

  it('applies the admission plugins on create', () => {
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.serviceAccount, 'default');
    assert.equal(spec.priority, 0);
    assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('fills container fields', () => {
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.resources, {});
    assert.deepEqual(c.readinessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  });

  it('fills volume sources', () => {
    assert.deepEqual(spec.volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'host', hostPath: { path: '/data', type: '' } },
    ]);
  });

  it('keeps existing tolerations that already cover the taints', () => {
    const p = defaulted(core('Pod'), { spec: { containers: [{ name: 'a', image: 'a:1' }], tolerations: [{ operator: 'Exists' }] } });
    assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists' }]);
  });

  it('resolves system priority classes', () => {
    const p = defaulted(core('Pod'), { spec: { containers: [{ name: 'a', image: 'a:1' }], priorityClassName: 'system-node-critical' } });
    assert.equal(p.spec.priority, 2000001000);
    const q = defaulted(core('Pod'), { spec: { containers: [{ name: 'a', image: 'a:1' }], priorityClassName: 'high' } }, {
      priorityClass: (n) => (n === 'high' ? { value: 1000, preemptionPolicy: 'Never' } : undefined),
    });
    assert.equal(q.spec.priority, 1000);
    assert.equal(q.spec.preemptionPolicy, 'Never');
  });

  it('copies limits to requests, canonicalizes them and computes the QoS class', () => {
    const p = defaulted(core('Pod'), {
      spec: { containers: [{ name: 'a', image: 'a:1', resources: { limits: { cpu: '0.5', memory: '1024Mi' } } }] },
    });
    assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    assert.equal(p.status.qosClass, 'Guaranteed');
    const b = defaulted(core('Pod'), { spec: { containers: [{ name: 'a', image: 'a:1', resources: { requests: { cpu: '100m' } } }] } });
    assert.equal(b.status.qosClass, 'Burstable');
  });

  it('does not re-run admission steps on update', () => {
    const p = defaulted(core('Pod'), { spec: { containers: [{ name: 'a', image: 'a:1' }] }, status: { phase: 'Running' } }, { operation: 'UPDATE' });
    assert.equal(p.spec.tolerations, undefined);
    assert.equal(p.spec.priority, undefined);
    assert.deepEqual(p.status, { phase: 'Running' });
  });

  it('treats objects with a resourceVersion as updates when no operation is given', () => {
    const stored = structuredClone(
      defaulted(core('Pod'), { spec: { containers: [{ name: 'a', image: 'a:1' }] }, status: { phase: 'Running' } }, { operation: 'UPDATE' }),
    );
    stored.metadata.resourceVersion = '42';
    defaultBuiltin(core('Pod'), stored);
    assert.deepEqual(stored.status, { phase: 'Running' });
    const ns = { metadata: { name: 'gone', resourceVersion: '7' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } } as KubeObject;
    defaultBuiltin(core('Namespace'), ns);
    assert.deepEqual(ns.spec.finalizers, []);
    assert.equal(ns.status.phase, 'Terminating');
  });

  it('defaults host ports on the host network', () => {
    const p = defaulted(core('Pod'), { spec: { hostNetwork: true, containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 8080 }] }] } });
    assert.deepEqual(p.spec.containers[0].ports, [{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }]);
  });
});

describe('image pull policy and QoS helpers', () => {
  it('derives the tag like kubelet', () => {
    assert.equal(imageTag('nginx'), 'latest');
    assert.equal(imageTag('nginx:latest'), 'latest');
    assert.equal(imageTag('nginx:1.27'), '1.27');
    assert.equal(imageTag('localhost:5000/team/app'), 'latest');
    assert.equal(imageTag('registry.k8s.io/pause:3.10'), '3.10');
    assert.equal(imageTag(`busybox@sha256:${'a'.repeat(64)}`), '');
    assert.equal(imageTag('Nginx'), '');
  });
  it('classifies pods', () => {
    assert.equal(podQOSClass({ containers: [{}] }), 'BestEffort');
    assert.equal(podQOSClass({ containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
    assert.equal(podQOSClass({ containers: [{ resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }] }), 'Burstable');
  });
});

describe('template defaults', () => {
  it('PodTemplate gets pod spec defaults but not pod-only ones', () => {
    const t = defaulted(core('PodTemplate'), { template: podTemplate() });
    const spec = t.template.spec;
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(spec.enableServiceLinks, undefined);
    assert.equal(spec.serviceAccountName, undefined);
    assert.equal(spec.tolerations, undefined);
  });

  it('Deployment', () => {
    const d = defaulted(apps('Deployment'), { spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate() } });
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.schedulerName, 'default-scheduler');
    const r = defaulted(apps('Deployment'), { spec: { strategy: { type: 'Recreate' }, template: podTemplate() } });
    assert.deepEqual(r.spec.strategy, { type: 'Recreate' });
  });

  it('ReplicaSet and ReplicationController', () => {
    const rs = defaulted(apps('ReplicaSet'), { spec: { template: podTemplate() } });
    assert.equal(rs.spec.replicas, 1);
    const rc = defaulted(core('ReplicationController'), { metadata: { name: 'rc', namespace: 'd' }, spec: { template: podTemplate() } });
    assert.deepEqual(rc.spec.selector, { app: 'web' });
    assert.deepEqual(rc.metadata.labels, { app: 'web' });
    assert.equal(rc.spec.replicas, 1);
  });

  it('StatefulSet', () => {
    const s = defaulted(apps('StatefulSet'), {
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: podTemplate(),
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } } }],
      },
    });
    assert.equal(s.spec.replicas, 1);
    assert.equal(s.spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(s.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.equal(s.spec.revisionHistoryLimit, 10);
    assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.deepEqual(s.spec.volumeClaimTemplates[0], {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    const onDelete = defaulted(apps('StatefulSet'), { spec: { updateStrategy: { type: 'OnDelete' }, template: podTemplate() } });
    assert.deepEqual(onDelete.spec.updateStrategy, { type: 'OnDelete' });
  });

  it('DaemonSet', () => {
    const ds = defaulted(apps('DaemonSet'), { spec: { template: podTemplate() } });
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
  });
});

describe('batch defaults', () => {
  const jobTemplate = { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] } };

  it('Job gets counts, policies and a generated selector', () => {
    const j = defaulted(batch('Job'), { metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' }, spec: { template: jobTemplate } });
    assert.equal(j.spec.parallelism, 1);
    assert.equal(j.spec.completions, 1);
    assert.equal(j.spec.backoffLimit, 6);
    assert.equal(j.spec.completionMode, 'NonIndexed');
    assert.equal(j.spec.suspend, false);
    assert.equal(j.spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.equal(j.spec.manualSelector, undefined);
    assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
    const labels = {
      'batch.kubernetes.io/controller-uid': 'uid-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-1',
      'job-name': 'pi',
    };
    assert.deepEqual(j.spec.template.metadata.labels, labels);
    assert.deepEqual(j.metadata.labels, labels);
  });

  it('Job with only parallelism keeps completions unset; podFailurePolicy implies Failed', () => {
    const j = defaulted(batch('Job'), { metadata: { name: 'w', namespace: 'd', uid: 'u' }, spec: { parallelism: 3, template: jobTemplate } });
    assert.equal(j.spec.parallelism, 3);
    assert.equal(j.spec.completions, undefined);
    const f = defaulted(batch('Job'), {
      metadata: { name: 'w', namespace: 'd', uid: 'u' },
      spec: { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] }, template: jobTemplate },
    });
    assert.equal(f.spec.podReplacementPolicy, 'Failed');
    assert.equal(f.spec.podFailurePolicy.rules[0].onPodConditions[0].status, 'True');
  });

  it('Job with manualSelector is left alone', () => {
    const j = defaulted(batch('Job'), {
      metadata: { name: 'm', namespace: 'd', uid: 'u' },
      spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: jobTemplate.spec } },
    });
    assert.deepEqual(j.spec.selector, { matchLabels: { a: 'b' } });
    assert.deepEqual(j.spec.template.metadata.labels, { a: 'b' });
  });

  it('CronJob', () => {
    const c = defaulted(batch('CronJob'), { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate } } } });
    assert.equal(c.spec.concurrencyPolicy, 'Allow');
    assert.equal(c.spec.suspend, false);
    assert.equal(c.spec.successfulJobsHistoryLimit, 3);
    assert.equal(c.spec.failedJobsHistoryLimit, 1);
    assert.equal(c.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(c.spec.jobTemplate.spec.backoffLimit, undefined);
  });
});

describe('core defaults', () => {
  it('Service (ClusterIP)', () => {
    const s = defaulted(core('Service'), { spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    assert.deepEqual(s.spec, {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
  });

  it('Service (LoadBalancer, headless, ExternalName, ClientIP)', () => {
    const lb = defaulted(core('Service'), { spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] } });
    assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
    assert.equal(lb.spec.ports[0].targetPort, 'https');
    const headless = defaulted(core('Service'), { spec: { clusterIP: 'None', ports: [{ port: 5432 }] } });
    assert.deepEqual(headless.spec.clusterIPs, ['None']);
    assert.equal(headless.spec.ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(headless.spec.ipFamilies, ['IPv4', 'IPv6']);
    const ext = defaulted(core('Service'), { spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
    const sticky = defaulted(core('Service'), { spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
    assert.deepEqual(sticky.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  it('PersistentVolumeClaim and PersistentVolume', () => {
    const pvc = defaulted(core('PersistentVolumeClaim'), { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1G' } } } });
    assert.equal(pvc.spec.volumeMode, 'Filesystem');
    assert.deepEqual(pvc.status, { phase: 'Pending' });
    const now = () => new Date('2024-05-01T10:00:00.123Z');
    const pv = defaulted(core('PersistentVolume'), { metadata: { name: 'pv' }, spec: { capacity: { storage: '10Gi' }, hostPath: { path: '/d' } } }, { now });
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pv.spec.volumeMode, 'Filesystem');
    assert.deepEqual(pv.spec.hostPath, { path: '/d', type: '' });
    assert.deepEqual(pv.status, { phase: 'Pending', lastPhaseTransitionTime: '2024-05-01T10:00:00Z' });
  });

  it('Namespace', () => {
    const ns = defaulted(core('Namespace'), { metadata: { name: 'team-a' } });
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.status, { phase: 'Active' });
  });

  it('Secret folds stringData into data and defaults the type', () => {
    const s = defaulted(core('Secret'), { data: { a: 'YQ==' }, stringData: { b: 'hello' } });
    assert.equal(s.type, 'Opaque');
    assert.deepEqual(s.data, { a: 'YQ==', b: 'aGVsbG8=' });
    assert.equal(s.stringData, undefined);
  });

  it('Secret data wrapped over several lines (as kustomize writes long values) is unwrapped, like Go decodes it', () => {
    const s = defaulted(core('Secret'), { data: { long: 'aGVsbG8g\nd29ybGQ=\r\n', plain: 'YQ==' } });
    assert.deepEqual(s.data, { long: 'aGVsbG8gd29ybGQ=', plain: 'YQ==' });
  });

  it('ConfigMap and ServiceAccount are unchanged; Node allocatable follows capacity', () => {
    const cm = defaulted(core('ConfigMap'), { data: { k: 'v' } });
    assert.deepEqual(cm.data, { k: 'v' });
    const sa = defaulted(core('ServiceAccount'), {});
    assert.deepEqual(Object.keys(sa), ['metadata']);
    const node = defaulted(core('Node'), { metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8192Mi' } } });
    assert.deepEqual(node.status.allocatable, { cpu: '4', memory: '8Gi' });
  });

  it('LimitRange container defaults cascade max → default → defaultRequest', () => {
    const lr = defaulted(core('LimitRange'), { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } });
    assert.deepEqual(lr.spec.limits[0].default, { cpu: '2' });
    assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
  });

  it('Endpoints ports default to TCP', () => {
    const ep = defaulted(core('Endpoints'), { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] });
    assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
  });
});

describe('other group defaults', () => {
  it('StorageClass', () => {
    const sc = defaulted({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' }, { metadata: { name: 'std' }, provisioner: 'x.io/p' });
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
  });

  it('PodDisruptionBudget and Lease have no defaults', () => {
    const pdb = defaulted({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' }, { spec: { minAvailable: 1 } });
    assert.deepEqual(pdb.spec, { minAvailable: 1 });
    const lease = defaulted({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, { spec: { holderIdentity: 'a' } });
    assert.deepEqual(lease.spec, { holderIdentity: 'a' });
  });

  it('HPA v2 defaults minReplicas, the CPU metric and behavior', () => {
    const gvk = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' };
    const h = defaulted(gvk, { spec: { maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } });
    assert.equal(h.spec.minReplicas, 1);
    assert.deepEqual(h.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.equal(h.spec.behavior, undefined);
    const b = defaulted(gvk, { spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } });
    assert.deepEqual(b.spec.behavior, {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    const v1 = defaulted({ ...gvk, version: 'v1' }, { spec: { maxReplicas: 3 } });
    assert.deepEqual(v1.spec, { maxReplicas: 3, minReplicas: 1 });
  });

  it('NetworkPolicy policyTypes and port protocols', () => {
    const gvk = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
    const ingressOnly = defaulted(gvk, { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } });
    assert.deepEqual(ingressOnly.spec.policyTypes, ['Ingress']);
    assert.equal(ingressOnly.spec.ingress[0].ports[0].protocol, 'TCP');
    const both = defaulted(gvk, { spec: { podSelector: {}, egress: [{}] } });
    assert.deepEqual(both.spec.policyTypes, ['Ingress', 'Egress']);
  });

  it('CRD conversion, names and stored versions', () => {
    const crd = defaulted(
      { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
      {
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', kind: 'Widget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
        },
      },
    );
    assert.deepEqual(crd.spec.conversion, { strategy: 'None' });
    assert.equal(crd.spec.names.singular, 'widget');
    assert.equal(crd.spec.names.listKind, 'WidgetList');
    assert.deepEqual(crd.status, { acceptedNames: { kind: '', plural: '' }, storedVersions: ['v1'] });
  });

  it('RBAC binding subjects and PriorityClass', () => {
    const rb = defaulted(
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' },
      { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'default', namespace: 'd' }] },
    );
    assert.equal(rb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(rb.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(rb.subjects[1].apiGroup, '');
    const pc = defaulted({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' }, { metadata: { name: 'high' }, value: 1000 });
    assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  });

  it('EndpointSlice ports and unknown kinds', () => {
    const es = defaulted({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }, { addressType: 'IPv4', ports: [{ port: 80 }] });
    assert.deepEqual(es.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
    const cr = defaulted({ group: 'example.com', version: 'v1', kind: 'Widget' }, { spec: { a: 1 } });
    assert.deepEqual(cr.spec, { a: 1 });
  });
});
