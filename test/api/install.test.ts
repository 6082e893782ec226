/**
 * installKubernautCrds against an in-process embedded cluster with client-node: it installs every
 * kind, is idempotent, keeps the schema's x-kubernetes-* extensions (CEL rules, selectable fields),
 * and objects written with the generated types are accepted by the schema they were generated from.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../helpers/test-cluster.ts';
import { installKubernautCrds, loadKubernautCrds } from '../../src/api/install.ts';
import {
  KUBERNAUT_API_VERSION,
  KUBERNAUT_KINDS,
  LABEL_SIGNAL_FINGERPRINT,
  REMEDIATION_REQUEST_GVR,
  SIGNAL_PROCESSING_GVR,
  EFFECTIVENESS_ASSESSMENT_GVR,
  type EffectivenessAssessment,
  fingerprintLabelValue,
  type RemediationRequest,
  type SignalProcessing,
} from '../../src/api/v1alpha1/index.ts';

let t: TestCluster;
let kc: KubeConfig;

before(async () => {
  t = await startTestCluster();
  kc = new KubeConfig();
  kc.loadFromString(t.cluster.kubeconfig());
});
after(async () => {
  await t.close();
});

const FP = 'a'.repeat(64);

function sampleRR(name: string): RemediationRequest {
  return {
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'RemediationRequest',
    metadata: { name, namespace: 'default', labels: { [LABEL_SIGNAL_FINGERPRINT]: fingerprintLabelValue(FP) } },
    spec: {
      signalFingerprint: FP,
      signalName: 'KubePodCrashLooping',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' },
      receivedTime: new Date().toISOString(),
      signalLabels: { alertname: 'KubePodCrashLooping' },
    },
  };
}

test('installs every Kubernaut CRD, Established, and a second run changes nothing', async () => {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await installKubernautCrds(kc, { clock: t.clock });
  const names = loadKubernautCrds().map((c) => c.metadata!.name!);
  assert.equal(names.length, Object.keys(KUBERNAUT_KINDS).length);
  const generations = new Map<string, number | undefined>();
  for (const name of names) {
    const crd = await api.readCustomResourceDefinition({ name });
    assert.ok(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), `${name} Established`);
    generations.set(name, crd.metadata?.generation);
  }
  await installKubernautCrds(kc, { clock: t.clock });
  for (const name of names) {
    const crd = await api.readCustomResourceDefinition({ name });
    assert.equal(crd.metadata?.generation, generations.get(name), `${name} unchanged by a second install`);
  }
  // The CEL rule and selectable fields reached the server (client-node's model drops unmapped keys).
  const rr = await api.readCustomResourceDefinition({ name: 'remediationrequests.kubernaut.ai' });
  const version = rr.spec.versions[0];
  assert.deepEqual(version.schema?.openAPIV3Schema?.properties?.spec?.x_kubernetes_validations?.map((r) => r.message), ['spec is immutable']);
  assert.deepEqual(version.selectableFields?.map((f) => f.jsonPath), ['.spec.signalFingerprint', '.spec.signalType', '.spec.severity']);
});

test('objects typed with the generated interfaces are accepted; the RR spec is immutable', async () => {
  await installKubernautCrds(kc, { clock: t.clock });
  const objects = kc.makeApiClient(CustomObjectsApi);
  const created = (await objects.createNamespacedCustomObject({ ...REMEDIATION_REQUEST_GVR, namespace: 'default', body: sampleRR('rr-typed') })) as RemediationRequest;
  assert.equal(created.spec.targetResource.kind, 'Deployment');

  const sp: SignalProcessing = {
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'SignalProcessing',
    metadata: { name: 'sp-rr-typed', namespace: 'default' },
    spec: {
      remediationRequestRef: { name: 'rr-typed', namespace: 'default', uid: created.metadata!.uid },
      signal: { fingerprint: FP, name: 'KubePodCrashLooping', severity: 'critical', targetResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' } },
    },
  };
  const createdSp = (await objects.createNamespacedCustomObject({ ...SIGNAL_PROCESSING_GVR, namespace: 'default', body: sp })) as SignalProcessing;
  assert.equal(createdSp.spec.enrichmentConfig, undefined);

  const changed = { ...created, spec: { ...created.spec, severity: 'low' } };
  await assert.rejects(
    objects.replaceNamespacedCustomObject({ ...REMEDIATION_REQUEST_GVR, namespace: 'default', name: 'rr-typed', body: changed }),
    (e: unknown) => e instanceof ApiException && e.code === 422 && String(e.body).includes('spec is immutable'),
  );
});

test('an EffectivenessAssessment keeps a null health score (target kind without pods)', async () => {
  await installKubernautCrds(kc, { clock: t.clock });
  const objects = kc.makeApiClient(CustomObjectsApi);
  const ea: EffectivenessAssessment = {
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'EffectivenessAssessment',
    metadata: { name: 'ea-rr-typed', namespace: 'default' },
    spec: {
      remediationRequestRef: { name: 'rr-typed', namespace: 'default' },
      correlationID: 'rr-typed',
      signalTarget: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data-0', namespace: 'default' },
      remediationTarget: { kind: 'PersistentVolumeClaim', name: 'data-0', namespace: 'default' },
    },
  };
  const created = (await objects.createNamespacedCustomObject({ ...EFFECTIVENESS_ASSESSMENT_GVR, namespace: 'default', body: ea })) as EffectivenessAssessment;
  created.status = { phase: 'Completed', components: { healthAssessed: false, healthScore: null, alertAssessed: true, alertScore: 1 }, overallScore: 1, assessmentReason: 'partial' };
  const updated = (await objects.replaceNamespacedCustomObjectStatus({ ...EFFECTIVENESS_ASSESSMENT_GVR, namespace: 'default', name: 'ea-rr-typed', body: created })) as EffectivenessAssessment;
  assert.equal(updated.status?.components?.healthScore, null);
  assert.equal(updated.status?.assessmentReason, 'partial');
});
