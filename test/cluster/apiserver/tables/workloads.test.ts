import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnDefinitions } from '../../../../src/cluster/apiserver/tables/index.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';
import { ago, cellsByName, columnNames, info } from './fixtures.ts';

const template = (containers: { name: string; image: string }[], nodeSelector?: Record<string, string>): Record<string, unknown> => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers, ...(nodeSelector ? { nodeSelector } : {}) },
});

const meta = (name: string, ageSeconds = 3600): KubeObject['metadata'] => ({ name, namespace: 'default', creationTimestamp: ago(ageSeconds) });

describe('statefulsets', () => {
  const STS = info('apps/v1', 'statefulsets', 'StatefulSet');
  it('prints READY as ready/desired', () => {
    const sts: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('db', 7200),
      spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template([{ name: 'postgres', image: 'postgres:16' }]) },
      status: { replicas: 3, readyReplicas: 2, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(columnNames(STS, false), ['Name', 'Ready', 'Age']);
    assert.deepEqual(cellsByName(STS, sts), { Name: 'db', Ready: '2/3', Age: '120m', Containers: 'postgres', Images: 'postgres:16' });
  });

  it('reads 0/N before status is reported', () => {
    const sts: KubeObject = { metadata: meta('db'), spec: { replicas: 2, template: template([]) }, status: {} };
    assert.equal(cellsByName(STS, sts).Ready, '0/2');
  });
});

describe('deployments and replicasets', () => {
  const DEPLOY = info('apps/v1', 'deployments', 'Deployment');
  const RS = info('apps/v1', 'replicasets', 'ReplicaSet');
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }, { key: 'canary', operator: 'DoesNotExist' }] };

  it('deployment columns and cells', () => {
    const d: KubeObject = {
      metadata: meta('web', 86400 * 3),
      spec: { replicas: 3, selector, template: template([{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'fluent-bit:3' }]) },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(columnNames(DEPLOY), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    assert.deepEqual(cellsByName(DEPLOY, d), {
      Name: 'web',
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '3d',
      Containers: 'web,log',
      Images: 'nginx:1.27,fluent-bit:3',
      Selector: 'app=web,!canary,tier in (edge,frontend)',
    });
  });

  it('replicaset counts are integers and the selector falls back to <none>', () => {
    const rs: KubeObject = { metadata: meta('web-7d4b9c8f5'), spec: { replicas: 3, template: template([{ name: 'web', image: 'nginx' }]) }, status: { replicas: 3, readyReplicas: 1 } };
    const c = cellsByName(RS, rs);
    assert.deepEqual([c.Desired, c.Current, c.Ready, c.Selector], [3, 3, 1, '<none>']);
    assert.deepEqual(
      columnDefinitions(RS).slice(1, 4).map((d) => d.type),
      ['integer', 'integer', 'integer'],
    );
  });
});

describe('daemonsets', () => {
  it('prints counts and the node selector', () => {
    const DS = info('apps/v1', 'daemonsets', 'DaemonSet');
    const ds: KubeObject = {
      metadata: meta('kube-proxy', 86400 * 30),
      spec: { selector: { matchLabels: { 'k8s-app': 'kube-proxy' } }, template: template([{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.32.0' }], { 'kubernetes.io/os': 'linux' }) },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    assert.deepEqual(cellsByName(DS, ds), {
      Name: 'kube-proxy',
      Desired: 3,
      Current: 3,
      Ready: 2,
      'Up-to-date': 3,
      Available: 2,
      'Node Selector': 'kubernetes.io/os=linux',
      Age: '30d',
      Containers: 'kube-proxy',
      Images: 'registry.k8s.io/kube-proxy:v1.32.0',
      Selector: 'k8s-app=kube-proxy',
    });
  });
});

describe('jobs and cronjobs', () => {
  const JOBS = info('batch/v1', 'jobs', 'Job');
  const job = (status: Record<string, unknown>, spec: Record<string, unknown> = { completions: 1, parallelism: 1 }, extraMeta: Record<string, unknown> = {}): KubeObject => ({
    metadata: { ...meta('pi', 600), ...extraMeta },
    spec: { ...spec, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, template: template([{ name: 'pi', image: 'perl:5.34' }]) },
    status,
  });

  it('a running job', () => {
    const c = cellsByName(JOBS, job({ startTime: ago(125), active: 1 }));
    assert.deepEqual([c.Status, c.Completions, c.Duration, c.Age], ['Running', '0/1', '2m5s', '10m']);
    assert.equal(c.Selector, 'batch.kubernetes.io/controller-uid=abc');
  });

  it('a completed job measures start to completion', () => {
    const c = cellsByName(JOBS, job({ startTime: ago(500), completionTime: ago(455), succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] }));
    assert.deepEqual([c.Status, c.Completions, c.Duration], ['Complete', '1/1', '45s']);
  });

  it('failed, suspended and terminating jobs', () => {
    assert.equal(cellsByName(JOBS, job({ conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] })).Status, 'Failed');
    assert.equal(cellsByName(JOBS, job({ conditions: [{ type: 'Suspended', status: 'True' }] })).Status, 'Suspended');
    assert.equal(cellsByName(JOBS, job({}, undefined, { deletionTimestamp: ago(1) })).Status, 'Terminating');
    assert.equal(cellsByName(JOBS, job({ conditions: [{ type: 'Suspended', status: 'False' }] })).Status, 'Running');
  });

  it('completions without a completion count', () => {
    assert.equal(cellsByName(JOBS, job({ succeeded: 2 }, { parallelism: 4 })).Completions, '2/1 of 4');
    assert.equal(cellsByName(JOBS, job({}, {})).Completions, '0/1');
    assert.equal(cellsByName(JOBS, job({}, {})).Duration, '');
  });

  it('cronjobs', () => {
    const CJ = info('batch/v1', 'cronjobs', 'CronJob');
    const cj: KubeObject = {
      metadata: meta('backup', 86400),
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: template([{ name: 'backup', image: 'restic:0.17' }]) } } },
      status: { active: [{ kind: 'Job', name: 'backup-1' }], lastScheduleTime: ago(70) },
    };
    assert.deepEqual(cellsByName(CJ, cj), {
      Name: 'backup',
      Schedule: '*/5 * * * *',
      Timezone: '<none>',
      Suspend: 'False',
      Active: 1,
      'Last Schedule': '70s',
      Age: '24h',
      Containers: 'backup',
      Images: 'restic:0.17',
      Selector: '<none>',
    });
    const later = cellsByName(CJ, { ...cj, spec: { ...cj.spec, timeZone: 'Europe/Paris', suspend: true }, status: {} });
    assert.deepEqual([later.Timezone, later.Suspend, later.Active, later['Last Schedule']], ['Europe/Paris', 'True', 0, '<none>']);
  });
});

describe('horizontalpodautoscalers', () => {
  const HPA = info('autoscaling/v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler');
  const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };

  it('utilization target with and without a current value', () => {
    const hpa: KubeObject = {
      metadata: meta('web', 300),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [cpu] },
      status: { currentReplicas: 2, desiredReplicas: 2 },
    };
    assert.deepEqual(cellsByName(HPA, hpa), { Name: 'web', Reference: 'Deployment/web', Targets: 'cpu: <unknown>/80%', MinPods: '1', MaxPods: 10, Replicas: 2, Age: '5m' });
    hpa.status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 20, averageValue: '12m' } } }];
    assert.equal(cellsByName(HPA, hpa).Targets, 'cpu: 20%/80%');
  });

  it('value targets, several metrics, and no metrics', () => {
    const metrics = [
      cpu,
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1k' } } },
    ];
    const hpa: KubeObject = {
      metadata: meta('api'),
      spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'api' }, maxReplicas: 5, metrics },
      status: { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } }, { type: 'Resource', resource: { name: 'memory', current: { averageValue: '1024Mi' } } }] },
    };
    const c = cellsByName(HPA, hpa);
    assert.equal(c.Targets, 'cpu: 35%/80%, memory: 1Gi/512Mi + 1 more...');
    assert.equal(c.MinPods, '<unset>');
    assert.equal(cellsByName(HPA, { metadata: meta('x'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 }, status: {} }).Targets, '<none>');
  });

  it('autoscaling/v1 objects show their CPU target', () => {
    const hpa: KubeObject = { metadata: meta('v1'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'v1' }, minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 2, currentCPUUtilizationPercentage: 10 } };
    assert.equal(cellsByName(HPA, hpa).Targets, 'cpu: 10%/50%');
  });
});

describe('poddisruptionbudgets and controllerrevisions', () => {
  it('pdb min/max as int-or-string, N/A when unset', () => {
    const PDB = info('policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget');
    const c = cellsByName(PDB, { metadata: meta('web-pdb'), spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 1 } });
    assert.deepEqual(c, { Name: 'web-pdb', 'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1, Age: '60m' });
    const d = cellsByName(PDB, { metadata: meta('p2'), spec: { maxUnavailable: 1 }, status: {} });
    assert.deepEqual([d['Min Available'], d['Max Unavailable'], d['Allowed Disruptions']], ['N/A', '1', 0]);
  });

  it('controllerrevision names its controller as kind.group/name', () => {
    const CR = info('apps/v1', 'controllerrevisions', 'ControllerRevision');
    const rev: KubeObject = {
      metadata: { ...meta('db-6d8f7c9b5'), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] },
      revision: 2,
    };
    assert.deepEqual(cellsByName(CR, rev), { Name: 'db-6d8f7c9b5', Controller: 'statefulset.apps/db', Revision: 2, Age: '60m' });
  });
});
