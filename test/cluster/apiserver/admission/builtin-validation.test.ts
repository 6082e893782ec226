import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultBuiltin,
  prepareBuiltinUpdate,
  validateBuiltin,
  validateBuiltinStatus,
  type Gvk,
} from '../../../../src/cluster/apiserver/admission/builtin-validation.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';

const core = (kind: string): Gvk => ({ group: '', version: 'v1', kind });
const apps = (kind: string): Gvk => ({ group: 'apps', version: 'v1', kind });
const batch = (kind: string): Gvk => ({ group: 'batch', version: 'v1', kind });

/** Defaults then validates, like the server does; returns "field: message" lines. */
function check(gvk: Gvk, o: Record<string, unknown>, old?: KubeObject): string[] {
  const obj = prep(gvk, o, old ? 'UPDATE' : 'CREATE');
  return validateBuiltin(gvk, obj, old).map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
}

function prep(gvk: Gvk, o: Record<string, unknown>, operation: 'CREATE' | 'UPDATE' = 'CREATE'): KubeObject {
  const obj = structuredClone(o) as KubeObject;
  obj.metadata ??= { name: 'x', namespace: 'default' };
  defaultBuiltin(gvk, obj, { operation });
  return obj;
}

const reasons = (gvk: Gvk, o: Record<string, unknown>): string[] => validateBuiltin(gvk, prep(gvk, o)).map((c) => c.reason);

const container = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'web', image: 'nginx:1.27', ...extra });
const podOf = (spec: Record<string, unknown>): Record<string, unknown> => ({ metadata: { name: 'p', namespace: 'default' }, spec });
const template = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { labels },
  spec: { containers: [container()], ...spec },
});

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('pod validation', () => {
  it('accepts a minimal pod', () => {
    assert.deepEqual(check(core('Pod'), podOf({ containers: [container()] })), []);
  });

  it('requires containers', () => {
    assert.deepEqual(check(core('Pod'), podOf({})), ['spec.containers: Required value']);
    assert.deepEqual(reasons(core('Pod'), podOf({})), ['FieldValueRequired']);
  });

  it('checks container names and images', () => {
    assert.deepEqual(check(core('Pod'), podOf({ containers: [{ name: 'Web', image: '' }, { name: 'web', image: 'a' }, { name: 'web', image: ' b' }] })), [
      `spec.containers[0].name: Invalid value: "Web": ${LABEL_MSG}`,
      'spec.containers[0].image: Required value',
      'spec.containers[2].image: Invalid value: " b": must not have leading or trailing whitespace',
      'spec.containers[2].name: Duplicate value: "web"',
    ]);
    assert.deepEqual(check(core('Pod'), podOf({ containers: [{ image: 'a' }] })), ['spec.containers[0].name: Required value']);
  });

  it('checks ports', () => {
    assert.deepEqual(
      check(core('Pod'), podOf({ containers: [container({ ports: [{ containerPort: 70000 }, { containerPort: 80, hostPort: -1, protocol: 'ICMP' }, { name: 'http', containerPort: 81 }, { name: 'http', containerPort: 82 }, {}] })] })),
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[3].name: Duplicate value: "http"',
        'spec.containers[0].ports[4].containerPort: Required value',
      ],
    );
  });

  it('checks the restart and pull policies', () => {
    assert.deepEqual(check(core('Pod'), podOf({ restartPolicy: 'Sometimes', containers: [container({ imagePullPolicy: 'Maybe' })] })), [
      'spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    assert.deepEqual(check(core('Pod'), podOf({ dnsPolicy: 'Foo', containers: [container()] })), [
      'spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
    assert.deepEqual(check(core('Pod'), podOf({ dnsPolicy: 'None', containers: [container()] })), [
      'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None',
    ]);
  });

  it('checks volumes and mounts', () => {
    assert.deepEqual(
      check(core('Pod'), podOf({
        volumes: [{ name: 'data' }, { name: 'data', emptyDir: {} }, { name: 'two', emptyDir: {}, configMap: { name: 'c' } }, { name: 'cm', configMap: {} }],
        containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'missing', mountPath: '/d' }, { name: 'data' }] })],
      })),
      [
        'spec.volumes[1].name: Duplicate value: "data"',
        'spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type',
        'spec.volumes[3].configMap.name: Required value',
        'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/d": must be unique',
        'spec.containers[0].volumeMounts[2].mountPath: Required value',
      ],
    );
  });

  it('checks probes, env and resources', () => {
    assert.deepEqual(
      check(core('Pod'), podOf({
        containers: [
          container({
            livenessProbe: { successThreshold: 2, httpGet: { port: 0 } },
            readinessProbe: {},
            env: [{ name: '1BAD', value: 'x' }, { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { requests: { cpu: '2' }, limits: { cpu: '1', memory: '-1' } },
          }),
        ],
      })),
      [
        "spec.containers[0].env[0].name: Invalid value: \"1BAD\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
        // requests default to limits on pods, so the bad memory limit is reported twice, as upstream does
        'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      ],
    );
  });

  it('checks tolerations and other pod fields', () => {
    assert.deepEqual(
      check(core('Pod'), podOf({
        containers: [container()],
        activeDeadlineSeconds: 0,
        tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { operator: 'Equal', value: 'x' }, { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }, { key: 'k', effect: 'Sometimes' }],
      })),
      [
        'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
        'spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'',
        'spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
        'spec.tolerations[3].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    );
  });

  it('forbids changing anything but images and the like on update', () => {
    const old = prep(core('Pod'), podOf({ containers: [container({ ports: [{ containerPort: 80 }] })] }));
    const imageOnly = structuredClone(old);
    imageOnly.spec.containers[0].image = 'nginx:1.28';
    imageOnly.spec.activeDeadlineSeconds = 30;
    imageOnly.spec.tolerations.push({ key: 'extra', operator: 'Exists' });
    assert.deepEqual(check(core('Pod'), imageOnly, old), []);

    const portChange = structuredClone(old);
    portChange.spec.containers[0].ports[0].containerPort = 8080;
    const errs = check(core('Pod'), portChange, old);
    assert.equal(errs.length, 1);
    assert.ok(
      errs[0].startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
    );
    assert.match(errs[0], /spec\.containers\[0\]\.ports\[0\]\.containerPort: 80 -> 8080/);

    const clearedImage = structuredClone(old);
    clearedImage.spec.containers[0].image = '';
    assert.ok(check(core('Pod'), clearedImage, old).includes('spec.containers[0].image: Required value'));

    const removedToleration = structuredClone(old);
    removedToleration.spec.tolerations = [];
    assert.ok(check(core('Pod'), removedToleration, old).includes('spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'));

    const withDeadline = structuredClone(old);
    withDeadline.spec.activeDeadlineSeconds = 10;
    const longer = structuredClone(withDeadline);
    longer.spec.activeDeadlineSeconds = 20;
    assert.deepEqual(check(core('Pod'), longer, withDeadline), ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value']);
  });
});

describe('workload validation', () => {
  it('Deployment selector and template', () => {
    assert.deepEqual(check(apps('Deployment'), { spec: { template: template() } }), ['spec.selector: Required value']);
    assert.deepEqual(check(apps('Deployment'), { spec: { selector: { matchLabels: { app: 'other' } }, template: template() } }), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    assert.deepEqual(check(apps('Deployment'), { spec: { selector: {}, template: template() } }), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
    assert.deepEqual(
      check(apps('Deployment'), { spec: { replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { restartPolicy: 'Never', containers: [{ name: 'web' }] }) } }),
      [
        'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        'spec.template.spec.containers[0].image: Required value',
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      ],
    );
  });

  it('Deployment strategy', () => {
    const base = { selector: { matchLabels: { app: 'web' } }, template: template() };
    assert.deepEqual(check(apps('Deployment'), { spec: { ...base, strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } }), [
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
    assert.deepEqual(check(apps('Deployment'), { spec: { ...base, strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } }), [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
    assert.deepEqual(check(apps('Deployment'), { spec: { ...base, strategy: { rollingUpdate: { maxUnavailable: '150%', maxSurge: 'x' } } } }), [
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
    assert.deepEqual(check(apps('Deployment'), { spec: { ...base, progressDeadlineSeconds: 5, minReadySeconds: 10 } }), [
      'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
    ]);
  });

  it('Deployment, ReplicaSet and DaemonSet selectors are immutable', () => {
    for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet']) {
      const old = prep(apps(kind), { spec: { selector: { matchLabels: { app: 'web' } }, template: template() } });
      const upd = structuredClone(old);
      upd.spec.selector = { matchLabels: { app: 'web', tier: 'fe' } };
      upd.spec.template.metadata.labels.tier = 'fe';
      assert.deepEqual(check(apps(kind), upd, old), [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      ], kind);
    }
  });

  it('ReplicaSet and ReplicationController', () => {
    assert.deepEqual(check(apps('ReplicaSet'), { spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { activeDeadlineSeconds: 10 }) } }), [
      'spec.template.spec.activeDeadlineSeconds: Invalid value: 10: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
    assert.deepEqual(check(core('ReplicationController'), { spec: { selector: { app: 'x' }, template: template() } }), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });

  it('StatefulSet spec and update rules', () => {
    const base = {
      serviceName: 'db',
      selector: { matchLabels: { app: 'web' } },
      template: template({ app: 'web' }, { containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/var/lib/data' }] })] }),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    };
    assert.deepEqual(check(apps('StatefulSet'), { spec: base }), []);
    assert.deepEqual(check(apps('StatefulSet'), { spec: { ...base, podManagementPolicy: 'Random', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } } }), [
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ]);
    assert.deepEqual(check(apps('StatefulSet'), { spec: { ...base, selector: {} } }), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
    ]);

    const old = prep(apps('StatefulSet'), { spec: base });
    const scaled = structuredClone(old);
    scaled.spec.replicas = 3;
    scaled.spec.template.spec.containers[0].image = 'nginx:1.28';
    scaled.spec.updateStrategy = { type: 'OnDelete' };
    assert.deepEqual(check(apps('StatefulSet'), scaled, old), []);
    const renamed = structuredClone(old);
    renamed.spec.serviceName = 'other';
    assert.deepEqual(check(apps('StatefulSet'), renamed, old), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('DaemonSet update strategy', () => {
    const base = { selector: { matchLabels: { app: 'web' } }, template: template() };
    assert.deepEqual(check(apps('DaemonSet'), { spec: { ...base, updateStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } } }), [
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
    ]);
    assert.deepEqual(check(apps('DaemonSet'), { spec: { ...base, updateStrategy: { rollingUpdate: { maxUnavailable: 0 } } } }), [
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]);
  });
});

describe('batch validation', () => {
  const jobMeta = { name: 'pi', namespace: 'default', uid: 'uid-1' };
  const jobSpec = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] } },
    ...extra,
  });

  it('accepts a generated-selector Job', () => {
    assert.deepEqual(check(batch('Job'), { metadata: jobMeta, spec: jobSpec() }), []);
  });

  it('requires a restart policy other than Always', () => {
    assert.deepEqual(check(batch('Job'), { metadata: jobMeta, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } }), [
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
  });

  it('rejects user selectors without manualSelector, and counts below zero', () => {
    assert.deepEqual(check(batch('Job'), { metadata: jobMeta, spec: jobSpec({ parallelism: -1, backoffLimit: -2, selector: { matchLabels: { a: 'b' } } }) }), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b", "batch.kubernetes.io/controller-uid":"uid-1"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"uid-1", "batch.kubernetes.io/job-name":"pi", "controller-uid":"uid-1", "job-name":"pi"}: `selector` does not match template `labels`',
    ]);
  });

  it('manual selectors must match the template', () => {
    assert.deepEqual(check(batch('Job'), { metadata: jobMeta, spec: jobSpec({ manualSelector: true }) }), ['spec.selector: Required value']);
    assert.deepEqual(
      check(batch('Job'), { metadata: jobMeta, spec: { ...jobSpec({ manualSelector: true, selector: { matchLabels: { a: 'b' } } }), template: { metadata: { labels: { a: 'c' } }, spec: { restartPolicy: 'Never', containers: [container()] } } } }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`'],
    );
  });

  it('job names too long for the job-name label', () => {
    const long = 'a'.repeat(64);
    const errs = check(batch('Job'), { metadata: { ...jobMeta, name: long }, spec: jobSpec() });
    assert.ok(errs.includes(`spec.template.labels: Invalid value: "${long}": must be no more than 63 characters`), errs.join('\n'));
  });

  it('template and selector are immutable unless suspended', () => {
    const old = prep(batch('Job'), { metadata: jobMeta, spec: jobSpec() });
    const changed = structuredClone(old);
    changed.spec.template.spec.containers[0].image = 'perl:5.36';
    assert.deepEqual(check(batch('Job'), changed, old), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
    const more = structuredClone(old);
    more.spec.completions = 3;
    assert.deepEqual(check(batch('Job'), more, old), ['spec.completions: Invalid value: 3: field is immutable']);
    const parallel = structuredClone(old);
    parallel.spec.parallelism = 5;
    parallel.spec.suspend = true;
    assert.deepEqual(check(batch('Job'), parallel, old), []);

    const suspendedOld = prep(batch('Job'), { metadata: jobMeta, spec: jobSpec({ suspend: true }) });
    const scheduled = structuredClone(suspendedOld);
    scheduled.spec.template.spec.nodeSelector = { zone: 'a' };
    assert.deepEqual(check(batch('Job'), scheduled, suspendedOld), []);
    const imageWhileSuspended = structuredClone(suspendedOld);
    imageWhileSuspended.spec.template.spec.containers[0].image = 'x';
    assert.deepEqual(check(batch('Job'), imageWhileSuspended, suspendedOld), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  });

  it('CronJob schedule, policy and template', () => {
    const cj = (spec: Record<string, unknown>, name = 'hello'): Record<string, unknown> => ({
      metadata: { name, namespace: 'default' },
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: jobSpec() }, ...spec },
    });
    assert.deepEqual(check(batch('CronJob'), cj({})), []);
    assert.deepEqual(check(batch('CronJob'), cj({ schedule: '' })), ['spec.schedule: Required value']);
    assert.deepEqual(check(batch('CronJob'), cj({ schedule: 'every minute' })), ['spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]']);
    assert.deepEqual(check(batch('CronJob'), cj({ schedule: '61 * * * *' })), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
    assert.deepEqual(check(batch('CronJob'), cj({ schedule: 'TZ=UTC 0 * * * *' })), [
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
    assert.deepEqual(check(batch('CronJob'), cj({ schedule: '0 9 * * mon-fri', timeZone: 'Europe/Berlin' })), []);
    assert.deepEqual(check(batch('CronJob'), cj({ schedule: '@daily', timeZone: 'Mars/Olympus' })), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
    assert.deepEqual(check(batch('CronJob'), cj({ concurrencyPolicy: 'Sometimes' })), [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]);
    assert.deepEqual(check(batch('CronJob'), cj({ jobTemplate: { spec: { template: { spec: { containers: [container()] } } } } })), [
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
    const long = 'c'.repeat(53);
    assert.deepEqual(check(batch('CronJob'), cj({}, long)), [`metadata.name: Invalid value: "${long}": must be no more than 52 characters`]);
  });
});

describe('service validation', () => {
  const svc = (spec: Record<string, unknown>): Record<string, unknown> => ({ metadata: { name: 'web', namespace: 'default' }, spec });

  it('ports', () => {
    assert.deepEqual(check(core('Service'), svc({ selector: { app: 'web' } })), ['spec.ports: Required value']);
    assert.deepEqual(check(core('Service'), svc({ clusterIP: 'None', selector: { app: 'web' } })), []);
    assert.deepEqual(check(core('Service'), svc({ ports: [{ port: 0 }, { name: 'Bad', port: 80, protocol: 'HTTP' }] })), [
      'spec.ports[0].name: Required value',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      `spec.ports[1].name: Invalid value: "Bad": ${LABEL_MSG}`,
      'spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    assert.deepEqual(check(core('Service'), svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 80 }] })), [
      'spec.ports[1].name: Duplicate value: "a"',
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it('type, nodePort and traffic policies', () => {
    assert.deepEqual(check(core('Service'), svc({ type: 'Ingress', ports: [{ port: 80 }] })), [
      'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
    assert.deepEqual(check(core('Service'), svc({ ports: [{ port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Local' })), [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ]);
    assert.deepEqual(check(core('Service'), svc({ type: 'ExternalName' })), ['spec.externalName: Required value']);
    assert.deepEqual(check(core('Service'), svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] })), [
      "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    ]);
  });

  it('clusterIP may not change once set', () => {
    const old = prep(core('Service'), svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] }));
    const kept = prep(core('Service'), svc({ ports: [{ port: 8080 }] }), 'UPDATE');
    assert.deepEqual(validateBuiltin(core('Service'), kept, old), []);
    const moved = prep(core('Service'), svc({ clusterIP: '10.96.0.11', ports: [{ port: 80 }] }), 'UPDATE');
    assert.deepEqual(
      validateBuiltin(core('Service'), moved, old).map((c) => `${c.field}: ${c.message}`),
      ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set'],
    );
  });
});

describe('storage validation', () => {
  it('PVC requires access modes and a storage request', () => {
    assert.deepEqual(check(core('PersistentVolumeClaim'), { spec: {} }), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
    assert.deepEqual(check(core('PersistentVolumeClaim'), { spec: { accessModes: ['ReadWriteMost'], resources: { requests: { storage: '0' } } } }), [
      'spec.accessModes: Unsupported value: "ReadWriteMost": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ]);
  });

  it('PVC spec is immutable except storage growth of bound claims', () => {
    const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'std' };
    const old = prep(core('PersistentVolumeClaim'), { spec });
    old.status = { phase: 'Bound' };
    old.spec.volumeName = 'pv-1';
    const grown = structuredClone(old);
    grown.spec.resources.requests.storage = '2Gi';
    assert.deepEqual(check(core('PersistentVolumeClaim'), grown, old), []);
    const shrunk = structuredClone(old);
    shrunk.spec.resources.requests.storage = '512Mi';
    assert.deepEqual(check(core('PersistentVolumeClaim'), shrunk, old), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
    const modes = structuredClone(old);
    modes.spec.accessModes = ['ReadWriteMany'];
    const errs = check(core('PersistentVolumeClaim'), modes, old);
    assert.equal(errs.length, 1);
    assert.ok(errs[0].startsWith('spec: Forbidden: spec is immutable after creation except resources.requests for bound claims\n'));
    const pending = prep(core('PersistentVolumeClaim'), { spec });
    const resizedPending = structuredClone(pending);
    resizedPending.spec.resources.requests.storage = '2Gi';
    assert.equal(check(core('PersistentVolumeClaim'), resizedPending, pending).length, 1);
  });

  it('PV capacity, access modes and source', () => {
    assert.deepEqual(check(core('PersistentVolume'), { metadata: { name: 'pv' }, spec: {} }), [
      'spec.accessModes: Required value',
      'spec.capacity: Required value',
      'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
      'spec: Required value: must specify a volume type',
    ]);
    assert.deepEqual(check(core('PersistentVolume'), { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, local: { path: '/mnt' } } }), [
      'spec.nodeAffinity: Required value: Local volume requires node affinity',
    ]);
    const old = prep(core('PersistentVolume'), { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/a' } } });
    const moved = structuredClone(old);
    moved.spec.hostPath.path = '/b';
    moved.spec.claimRef = { namespace: 'default', name: 'data' };
    const errs = check(core('PersistentVolume'), moved, old);
    assert.equal(errs.length, 1);
    assert.ok(errs[0].startsWith('spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n'));
  });

  it('StorageClass', () => {
    const gvk = { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' };
    assert.deepEqual(check(gvk, { metadata: { name: 'sc' }, reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }), [
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
    const old = prep(gvk, { metadata: { name: 'sc' }, provisioner: 'a.io/x', parameters: { type: 'ssd' } });
    const upd = structuredClone(old);
    upd.parameters = { type: 'hdd' };
    upd.provisioner = 'b.io/x';
    assert.deepEqual(check(gvk, upd, old), ['parameters: Forbidden: updates to parameters are forbidden.', 'provisioner: Forbidden: updates to provisioner are forbidden.']);
  });
});

describe('config and namespace validation', () => {
  it('ConfigMap keys, duplicates and immutability', () => {
    assert.deepEqual(check(core('ConfigMap'), { data: { 'bad key': 'x', dup: 'a' }, binaryData: { dup: 'YQ==' } }), [
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      'binaryData[dup]: Invalid value: "dup": duplicate of key present in data',
    ]);
    const old = prep(core('ConfigMap'), { data: { a: '1' }, immutable: true });
    const upd = structuredClone(old);
    upd.data.a = '2';
    delete upd.immutable;
    assert.deepEqual(check(core('ConfigMap'), upd, old), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(check(core('ConfigMap'), { data: { big: 'x'.repeat(1024 * 1024 + 1) } }), ['Too long: may not be more than 1048576 bytes']);
  });

  it('Secret keys, types and immutability', () => {
    assert.deepEqual(check(core('Secret'), { type: 'kubernetes.io/tls', data: { 'tls.crt': 'YQ==' } }), ['data[tls.key]: Required value']);
    assert.deepEqual(check(core('Secret'), { type: 'kubernetes.io/service-account-token' }), [
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ]);
    assert.deepEqual(check(core('Secret'), { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') } }), []);
    assert.deepEqual(check(core('Secret'), { data: { 'a/b': 'YQ==', ok: 'not base64!' } }).length, 2);
    const old = prep(core('Secret'), { data: { a: 'YQ==' } });
    const retyped = structuredClone(old);
    retyped.type = 'kubernetes.io/basic-auth';
    retyped.data = { username: 'YQ==' };
    assert.deepEqual(check(core('Secret'), retyped, old), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
  });

  it('Namespace finalizers', () => {
    assert.deepEqual(check(core('Namespace'), { metadata: { name: 'ns' }, spec: { finalizers: ['foo'] } }), [
      'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it('Node taints', () => {
    assert.deepEqual(check(core('Node'), { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, { key: 'j' }] } }), [
      'spec.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
      'spec.taints[2].effect: Required value',
    ]);
  });

  it('Events must live in the namespace of their object', () => {
    assert.deepEqual(check(core('Event'), { metadata: { name: 'e', namespace: 'a' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'b' } }), [
      'involvedObject.namespace: Invalid value: "b": does not match event.namespace',
    ]);
  });
});

describe('other groups', () => {
  it('HPA', () => {
    const gvk = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' };
    assert.deepEqual(check(gvk, { spec: { minReplicas: 5, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment' } } }), [
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
      'spec.scaleTargetRef.name: Required value',
    ]);
    assert.deepEqual(check(gvk, { spec: { maxReplicas: 0, scaleTargetRef: { kind: 'Deployment', name: 'web' } } }), [
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
    ]);
    assert.deepEqual(check(gvk, { spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'web' }, metrics: [{ type: 'Resource', resource: { target: { type: 'Utilization' } } }] } }), [
      'spec.metrics[0].resource.name: Required value: must specify a resource name',
      'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
    ]);
  });

  it('PodDisruptionBudget', () => {
    const gvk = { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' };
    const errs = check(gvk, { spec: { minAvailable: 1, maxUnavailable: '200%' } });
    assert.ok(errs[0].startsWith('spec: Invalid value: policy.PodDisruptionBudgetSpec'));
    assert.ok(errs[0].endsWith('minAvailable and maxUnavailable cannot be both set'));
    assert.equal(errs[1], 'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"200%"}: must not be greater than 100%');
  });

  it('NetworkPolicy', () => {
    const gvk = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
    assert.deepEqual(check(gvk, { spec: { podSelector: {}, policyTypes: ['Sideways'], ingress: [{ from: [{}], ports: [{ port: 70000 }] }] } }), [
      'spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]);
  });

  it('Ingress', () => {
    const gvk = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' };
    assert.deepEqual(check(gvk, { spec: { rules: [{ http: { paths: [{ path: 'web', backend: { service: { name: 'web', port: { number: 80 } } } }, { path: '/x', pathType: 'Prefix', backend: { service: { name: 'web' } } }] } }] } }), [
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[1].backend: Required value: port name or number is required',
    ]);
  });

  it('Lease and PriorityClass', () => {
    assert.deepEqual(check({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, { spec: { leaseDurationSeconds: 0 } }), [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ]);
    const pc = { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' };
    assert.deepEqual(check(pc, { metadata: { name: 'system-custom' }, value: 5 }), [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-custom is not a known system priority class",
    ]);
    assert.deepEqual(check(pc, { metadata: { name: 'huge' }, value: 2000000000 }), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  });

  it('RBAC', () => {
    const role = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' };
    assert.deepEqual(check(role, { rules: [{ resources: ['pods'] }] }), [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    ]);
    const crb = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' };
    assert.deepEqual(check(crb, { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }, { kind: 'Robot', name: 'r2' }] }), [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    const rb = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' };
    const old = prep(rb, { roleRef: { kind: 'Role', name: 'a' }, subjects: [] });
    const upd = structuredClone(old);
    upd.roleRef.name = 'b';
    assert.deepEqual(check(rb, upd, old), ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef']);
  });

  it('unknown kinds have no rules', () => {
    assert.deepEqual(check({ group: 'example.com', version: 'v1', kind: 'Widget' }, { spec: { anything: true } }), []);
  });
});

describe('status validation', () => {
  it('rejects negative counters and replica counts above replicas', () => {
    const d = prep(apps('StatefulSet'), { spec: {} });
    d.status = { replicas: 1, readyReplicas: 2, currentReplicas: -1 };
    assert.deepEqual(
      validateBuiltinStatus(apps('StatefulSet'), d).map((c) => `${c.field}: ${c.message}`),
      ['status.currentReplicas: Invalid value: -1: must be greater than or equal to 0', 'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas'],
    );
  });
});

describe('robustness', () => {
  const kinds: Gvk[] = [
    ...['Pod', 'PodTemplate', 'ReplicationController', 'Service', 'Endpoints', 'PersistentVolumeClaim', 'PersistentVolume', 'Namespace', 'Node', 'Secret', 'ConfigMap', 'ServiceAccount', 'Event', 'ResourceQuota', 'LimitRange'].map(core),
    ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].map(apps),
    ...['Job', 'CronJob'].map(batch),
    { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
    { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' },
    { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
    { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' },
    { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
  ];
  const odd: unknown[] = [null, 7, 'x', [], {}, [null], [3], [{}], { a: null }, true];
  const keys = ['spec', 'containers', 'template', 'metadata', 'selector', 'ports', 'volumes', 'name', 'image', 'type', 'data', 'rules', 'subjects', 'roleRef', 'status', 'jobTemplate', 'resources', 'limits', 'requests', 'strategy', 'labels', 'versions', 'names', 'clusterIP', 'accessModes', 'capacity', 'tolerations', 'env', 'endpoints'];

  it('never throws on malformed input', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const gen = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.3) return odd[Math.floor(rnd() * odd.length)];
      if (r < 0.65) return Object.fromEntries(keys.filter(() => rnd() < 0.25).map((k) => [k, gen(depth + 1)]));
      return Array.from({ length: Math.floor(rnd() * 3) }, () => gen(depth + 1));
    };
    for (let i = 0; i < 150; i++) {
      for (const gvk of kinds) {
        const obj = { ...(gen(0) as object), metadata: { name: rnd() < 0.7 ? 'x' : gen(2), namespace: 'd', uid: 'u', labels: rnd() < 0.2 ? gen(1) : undefined } } as KubeObject;
        assert.doesNotThrow(() => {
          defaultBuiltin(gvk, obj);
          validateBuiltin(gvk, obj);
          validateBuiltin(gvk, obj, structuredClone(obj));
          validateBuiltinStatus(gvk, obj, structuredClone(obj));
        }, `${gvk.kind}: ${JSON.stringify(obj).slice(0, 200)}`);
      }
    }
  });
});

describe('service update preparation', () => {
  it('drops node ports and traffic policy when switching NodePort → ClusterIP via apply', () => {
    const gvk = core('Service');
    const old = prep(gvk, { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.0.5', selector: { app: 'web' }, ports: [{ port: 80 }] } });
    old.spec.ports[0].nodePort = 30080;
    // kubectl apply patches the stored object: only `type` changes.
    const patched = structuredClone(old);
    patched.spec.type = 'ClusterIP';
    defaultBuiltin(gvk, patched, { operation: 'UPDATE' });
    assert.ok(validateBuiltin(gvk, patched, old).length > 0, 'without preparation the stale nodePort is rejected');
    prepareBuiltinUpdate(gvk, patched, old);
    assert.deepEqual(validateBuiltin(gvk, patched, old), []);
    assert.equal(patched.spec.ports[0].nodePort, undefined);
    assert.equal(patched.spec.externalTrafficPolicy, undefined);
    assert.equal(patched.spec.clusterIP, '10.96.0.5');
  });

  it('carries allocated values over a replace that omits them, and clears them for ExternalName', () => {
    const gvk = core('Service');
    const old = prep(gvk, { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] } });
    old.spec.ports[0].nodePort = 30080;
    const replaced = prep(gvk, { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 8080 }] } }, 'UPDATE');
    prepareBuiltinUpdate(gvk, replaced, old);
    assert.equal(replaced.spec.clusterIP, '10.96.0.5');
    assert.deepEqual(replaced.spec.clusterIPs, ['10.96.0.5']);
    assert.equal(replaced.spec.ports[0].nodePort, 30080);
    assert.deepEqual(validateBuiltin(gvk, replaced, old), []);
    const ext = structuredClone(old);
    ext.spec.type = 'ExternalName';
    ext.spec.externalName = 'db.example.com';
    prepareBuiltinUpdate(gvk, ext, old);
    assert.deepEqual(validateBuiltin(gvk, ext, old), []);
    assert.equal(ext.spec.clusterIP, undefined);
  });
});
