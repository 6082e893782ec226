import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';
import { NOW, ago, cellsByName, columnNames, info } from './fixtures.ts';

const meta = (name: string, ageSeconds = 3600, extra: Record<string, unknown> = {}): KubeObject['metadata'] => ({ name, creationTimestamp: ago(ageSeconds), ...extra });

describe('namespaces and nodes', () => {
  it('namespace status', () => {
    const NS = info('v1', 'namespaces', 'Namespace', { namespaced: false });
    assert.deepEqual(cellsByName(NS, { metadata: meta('default', 86400 * 10), status: { phase: 'Active' } }), { Name: 'default', Status: 'Active', Age: '10d' });
    assert.equal(cellsByName(NS, { metadata: meta('old', 60, { deletionTimestamp: ago(1) }), status: { phase: 'Terminating' } }).Status, 'Terminating');
  });

  const NODES = info('v1', 'nodes', 'Node', { namespaced: false });
  const node = (labels: Record<string, string>, conditions: Record<string, unknown>[], unschedulable = false): KubeObject => ({
    metadata: meta('kind-control-plane', 86400 * 2 + 3600 * 5, { labels }),
    spec: { podCIDR: '10.244.0.0/24', ...(unschedulable ? { unschedulable: true } : {}) },
    status: {
      conditions,
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'kind-control-plane' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://1.7.24' },
    },
  });
  const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady' };

  it('node columns and cells', () => {
    assert.deepEqual(columnNames(NODES, true), ['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    const n = node({ 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'kind-control-plane' }, [{ type: 'MemoryPressure', status: 'False' }, ready]);
    assert.deepEqual(cellsByName(NODES, n), {
      Name: 'kind-control-plane',
      Status: 'Ready',
      Roles: 'control-plane',
      Age: '2d5h',
      Version: 'v1.32.0',
      'Internal-IP': '172.18.0.2',
      'External-IP': '<none>',
      'OS-Image': 'Debian GNU/Linux 12 (bookworm)',
      'Kernel-Version': '6.8.0-45-generic',
      'Container-Runtime': 'containerd://1.7.24',
    });
  });

  it('node status variants and roles', () => {
    assert.equal(cellsByName(NODES, node({}, [ready], true)).Status, 'Ready,SchedulingDisabled');
    assert.equal(cellsByName(NODES, node({}, [{ type: 'Ready', status: 'Unknown' }])).Status, 'NotReady');
    assert.equal(cellsByName(NODES, node({}, [])).Status, 'Unknown');
    assert.equal(cellsByName(NODES, node({}, [ready])).Roles, '<none>');
    assert.equal(cellsByName(NODES, node({ 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': '' }, [ready])).Roles, 'infra,worker');
  });
});

describe('services and endpoints', () => {
  const SVC = info('v1', 'services', 'Service');
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ metadata: meta('web', 300), spec, status });

  it('ClusterIP service', () => {
    const s = svc({ type: 'ClusterIP', clusterIP: '10.96.12.7', clusterIPs: ['10.96.12.7'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { port: 53, protocol: 'UDP' }], selector: { app: 'web', tier: 'fe' } });
    assert.deepEqual(cellsByName(SVC, s), { Name: 'web', Type: 'ClusterIP', 'Cluster-IP': '10.96.12.7', 'External-IP': '<none>', 'Port(s)': '80/TCP,53/UDP', Age: '5m', Selector: 'app=web,tier=fe' });
  });

  it('NodePort, LoadBalancer, ExternalName and headless services', () => {
    const np = cellsByName(SVC, svc({ type: 'NodePort', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }));
    assert.equal(np['Port(s)'], '80:30080/TCP');
    assert.equal(np.Selector, '<none>');
    assert.equal(cellsByName(SVC, svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.21'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }))['External-IP'], '<pending>');
    const lb = svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.21'], externalIPs: ['192.0.2.10'] }, { loadBalancer: { ingress: [{ ip: '198.51.100.7' }, { hostname: 'lb.example.com' }] } });
    assert.equal(cellsByName(SVC, lb)['External-IP'], '198.51.100.7,lb.example.com,192.0.2.10');
    const en = cellsByName(SVC, svc({ type: 'ExternalName', externalName: 'db.example.com' }));
    assert.deepEqual([en['Cluster-IP'], en['External-IP'], en['Port(s)']], ['<none>', 'db.example.com', '<none>']);
    assert.equal(cellsByName(SVC, svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] }))['Cluster-IP'], 'None');
  });

  it('endpoints list ip:port, truncated after three', () => {
    const EP = info('v1', 'endpoints', 'Endpoints');
    const ep = (subsets: unknown[] | undefined): KubeObject => ({ metadata: meta('web'), ...(subsets ? { subsets } : {}) });
    assert.equal(cellsByName(EP, ep(undefined)).Endpoints, '<none>');
    assert.equal(cellsByName(EP, ep([{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }], ports: [{ port: 8080, protocol: 'TCP' }] }])).Endpoints, '10.244.1.5:8080,10.244.2.7:8080');
    const many = ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::3' }], ports: [{ port: 80 }, { port: 443 }] }]);
    assert.equal(cellsByName(EP, many).Endpoints, '10.0.0.1:80,10.0.0.2:80,[fd00::3]:80 + 3 more...');
    assert.equal(cellsByName(EP, ep([{ addresses: [{ ip: '10.0.0.9' }] }])).Endpoints, '10.0.0.9');
  });
});

describe('config and identity objects', () => {
  it('configmaps count data and binaryData keys', () => {
    const CM = info('v1', 'configmaps', 'ConfigMap');
    assert.deepEqual(cellsByName(CM, { metadata: meta('kube-root-ca.crt', 59), data: { 'ca.crt': 'x' }, binaryData: { blob: 'AA==' } }), { Name: 'kube-root-ca.crt', Data: 2, Age: '59s' });
  });

  it('secrets show their type and key count', () => {
    const SECRETS = info('v1', 'secrets', 'Secret');
    assert.deepEqual(cellsByName(SECRETS, { metadata: meta('tls', 120), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }), { Name: 'tls', Type: 'kubernetes.io/tls', Data: 2, Age: '2m' });
  });

  it('serviceaccounts count secrets', () => {
    const SA = info('v1', 'serviceaccounts', 'ServiceAccount');
    assert.deepEqual(cellsByName(SA, { metadata: meta('default', 600) }), { Name: 'default', Secrets: 0, Age: '10m' });
  });
});

describe('events', () => {
  const EVENTS = info('v1', 'events', 'Event');

  it('core events: columns and cells', () => {
    assert.deepEqual(columnNames(EVENTS), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    assert.deepEqual(columnNames(EVENTS, false), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    const ev: KubeObject = {
      metadata: meta('web-1.17d8a1', 300),
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', fieldPath: 'spec.containers{web}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container web in pod web-1\n',
      source: { component: 'kubelet', host: 'kind-worker' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(12),
      count: 7,
      type: 'Warning',
    };
    assert.deepEqual(cellsByName(EVENTS, ev), {
      'Last Seen': '12s',
      Type: 'Warning',
      Reason: 'BackOff',
      Object: 'pod/web-1',
      Subobject: 'spec.containers{web}',
      Source: 'kubelet, kind-worker',
      Message: 'Back-off restarting failed container web in pod web-1',
      'First Seen': '5m',
      Count: 7,
      Name: 'web-1.17d8a1',
    });
  });

  it('new-style events fall back to eventTime, series and the reporting controller', () => {
    const ev: KubeObject = {
      metadata: meta('web.1', 100),
      involvedObject: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up',
      eventTime: '2024-06-01T11:58:00.000000Z',
      reportingComponent: 'deployment-controller',
      type: 'Normal',
    };
    const c = cellsByName(EVENTS, ev);
    assert.deepEqual([c['Last Seen'], c['First Seen'], c.Count, c.Source, c.Object], ['2m', '2m', 1, 'deployment-controller', 'deployment/web']);
    ev.series = { count: 4, lastObservedTime: '2024-06-01T11:59:30.000000Z' };
    const s = cellsByName(EVENTS, ev);
    assert.deepEqual([s['Last Seen'], s.Count], ['30s', 4]);
  });

  it('events.k8s.io events print the same columns', () => {
    const EV2 = info('events.k8s.io/v1', 'events', 'Event');
    const ev: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: meta('web-1.17d8a2', 60),
      eventTime: ago(60),
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-kind-control-plane',
      action: 'Binding',
      reason: 'Scheduled',
      regarding: { kind: 'Pod', namespace: 'default', name: 'web-1' },
      note: 'Successfully assigned default/web-1 to kind-worker',
      type: 'Normal',
    };
    assert.deepEqual(cellsByName(EV2, ev), {
      'Last Seen': '60s',
      Type: 'Normal',
      Reason: 'Scheduled',
      Object: 'pod/web-1',
      Subobject: '',
      Source: 'default-scheduler, default-scheduler-kind-control-plane',
      Message: 'Successfully assigned default/web-1 to kind-worker',
      'First Seen': '60s',
      Count: 1,
      Name: 'web-1.17d8a2',
    });
  });
});

describe('persistent volumes and claims', () => {
  const PV = info('v1', 'persistentvolumes', 'PersistentVolume', { namespaced: false });
  const PVC = info('v1', 'persistentvolumeclaims', 'PersistentVolumeClaim');

  it('pv columns and a bound volume', () => {
    assert.deepEqual(columnNames(PV), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode']);
    const pv: KubeObject = {
      metadata: meta('pvc-3f1c', 86400),
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
        claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-db-0', uid: 'u' },
        hostPath: { path: '/var/local-path-provisioner/pvc-3f1c' },
      },
      status: { phase: 'Bound' },
    };
    assert.deepEqual(cellsByName(PV, pv), {
      Name: 'pvc-3f1c',
      Capacity: '10Gi',
      'Access Modes': 'RWO,RWX',
      'Reclaim Policy': 'Delete',
      Status: 'Bound',
      Claim: 'default/data-db-0',
      StorageClass: 'standard',
      VolumeAttributesClass: '<unset>',
      Reason: '',
      Age: '24h',
      VolumeMode: 'Filesystem',
    });
  });

  it('pv released, terminating, and canonical capacity', () => {
    const pv: KubeObject = {
      metadata: meta('nfs', 60, { annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } }),
      spec: { capacity: { storage: '1024Mi' }, accessModes: ['ReadOnlyMany', 'ReadWriteOncePod'], persistentVolumeReclaimPolicy: 'Retain', volumeAttributesClassName: 'gold' },
      status: { phase: 'Failed', reason: 'VolumeFailedRecycle' },
    };
    const c = cellsByName(PV, pv);
    assert.deepEqual([c.Capacity, c['Access Modes'], c.StorageClass, c.VolumeAttributesClass, c.Status, c.Reason, c.Claim, c.VolumeMode], ['1Gi', 'ROX,RWOP', 'legacy', 'gold', 'Failed', 'VolumeFailedRecycle', '', '<unset>']);
    pv.metadata.deletionTimestamp = ago(1);
    assert.equal(cellsByName(PV, pv).Status, 'Terminating');
  });

  it('pvc bound and pending', () => {
    assert.deepEqual(columnNames(PVC), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
    const bound: KubeObject = {
      metadata: meta('data-db-0', 86400),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', volumeName: 'pvc-3f1c' },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } },
    };
    assert.deepEqual(cellsByName(PVC, bound), {
      Name: 'data-db-0',
      Status: 'Bound',
      Volume: 'pvc-3f1c',
      Capacity: '5Gi',
      'Access Modes': 'RWO',
      StorageClass: 'standard',
      VolumeAttributesClass: '<unset>',
      Age: '24h',
      VolumeMode: 'Filesystem',
    });
    const pending: KubeObject = { metadata: meta('scratch', 30), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' }, status: { phase: 'Pending' } };
    const c = cellsByName(PVC, pending);
    assert.deepEqual([c.Status, c.Volume, c.Capacity, c['Access Modes'], c.VolumeMode], ['Pending', '', '', '', '<unset>']);
  });
});

describe('storage, networking, coordination and RBAC', () => {
  it('storageclasses mark the default and fill in defaults', () => {
    const SC = info('storage.k8s.io/v1', 'storageclasses', 'StorageClass', { namespaced: false });
    const sc: KubeObject = { metadata: meta('standard', 86400 * 9, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' };
    assert.deepEqual(cellsByName(SC, sc), { Name: 'standard (default)', Provisioner: 'rancher.io/local-path', ReclaimPolicy: 'Delete', VolumeBindingMode: 'WaitForFirstConsumer', AllowVolumeExpansion: false, Age: '9d' });
    const bare = cellsByName(SC, { metadata: meta('fast'), provisioner: 'ebs.csi.aws.com', allowVolumeExpansion: true });
    assert.deepEqual([bare.Name, bare.ReclaimPolicy, bare.VolumeBindingMode, bare.AllowVolumeExpansion], ['fast', 'Delete', 'Immediate', true]);
  });

  it('networkpolicies print the pod selector', () => {
    const NP = info('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy');
    assert.equal(cellsByName(NP, { metadata: meta('deny-all'), spec: { podSelector: {}, policyTypes: ['Ingress'] } })['Pod-Selector'], '<none>');
    assert.equal(cellsByName(NP, { metadata: meta('web'), spec: { podSelector: { matchLabels: { app: 'web' } } } })['Pod-Selector'], 'app=web');
  });

  it('leases print the holder', () => {
    const LEASES = info('coordination.k8s.io/v1', 'leases', 'Lease');
    assert.deepEqual(cellsByName(LEASES, { metadata: meta('kube-scheduler', 600), spec: { holderIdentity: 'kind-control-plane_3c4d', leaseDurationSeconds: 15 } }), { Name: 'kube-scheduler', Holder: 'kind-control-plane_3c4d', Age: '10m' });
    assert.equal(cellsByName(LEASES, { metadata: meta('free'), spec: {} }).Holder, '');
  });

  it('rolebindings print the role and, wide, the subjects', () => {
    const RB = info('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding');
    const rb: KubeObject = {
      metadata: meta('read-pods'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [
        { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'User', name: 'joe', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
      ],
    };
    assert.deepEqual(cellsByName(RB, rb), { Name: 'read-pods', Role: 'Role/pod-reader', Age: '60m', Users: 'jane, joe', Groups: 'devs', ServiceAccounts: 'ci/builder' });
  });

  it('resources without a printer get Name and Created At', () => {
    for (const ri of [info('rbac.authorization.k8s.io/v1', 'roles', 'Role'), info('v1', 'limitranges', 'LimitRange'), info('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', { namespaced: false })]) {
      assert.deepEqual(columnNames(ri), ['Name', 'Created At'], ri.resource);
      assert.deepEqual(cellsByName(ri, { metadata: meta('thing', 3600) }), { Name: 'thing', 'Created At': '2024-06-01T11:00:00Z' });
    }
  });

  it('the clock passed in is the one used', () => {
    const CM = info('v1', 'configmaps', 'ConfigMap');
    const later = new Date(NOW.getTime() + 86400 * 1000 * 400);
    assert.equal(cellsByName(CM, { metadata: meta('x', 0) }, later).Age, '400d');
  });
});
