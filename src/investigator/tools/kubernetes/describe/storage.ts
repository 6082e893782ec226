/** `kubectl describe` of PersistentVolumeClaims, PersistentVolumes and StorageClasses. */
import { accessModesShort, ageSince, formatLabels, goBoolPtr, goList, rfc1123z } from '../format.ts';
import { canonicalQuantity } from '../quantity.ts';
import type { KubeObject } from '../client.ts';
import { eventsOf, type DescribeContext } from './context.ts';
import { describeVolumeSource } from './pod-spec.ts';
import { DescribeWriter, printAnnotations, printEvents, printLabels, printNames, type Writer } from './writer.ts';
import { claimClass } from './workloads.ts';

type Json = any;

export async function describePersistentVolumeClaim(pvc: KubeObject, ctx: DescribeContext): Promise<string> {
  const ns = pvc.metadata.namespace ?? '';
  const [pods, events] = await Promise.all([ctx.reader.listOrEmpty(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`), eventsOf(ctx, pvc, 'PersistentVolumeClaim')]);
  const users = pods.filter((pod) =>
    (pod.spec?.volumes ?? []).some((v: Json) => v.persistentVolumeClaim?.claimName === pvc.metadata.name || (v.ephemeral && `${pod.metadata.name}-${v.name}` === pvc.metadata.name)),
  );
  const spec: Json = pvc.spec ?? {};
  const st: Json = pvc.status ?? {};
  const w = new DescribeWriter();
  w.write(0, `Name:\t${pvc.metadata.name}\n`);
  w.write(0, `Namespace:\t${ns}\n`);
  w.write(0, `StorageClass:\t${claimClass(pvc)}\n`);
  w.write(0, pvc.metadata.deletionTimestamp ? `Status:\tTerminating (lasts ${ageSince(pvc.metadata.deletionTimestamp, ctx.nowMs)})\n` : `Status:\t${st.phase ?? ''}\n`);
  w.write(0, `Volume:\t${spec.volumeName ?? ''}\n`);
  printLabels(w, 'Labels', pvc.metadata.labels);
  printAnnotations(w, 'Annotations', pvc.metadata.annotations);
  w.write(0, `Finalizers:\t${goList(pvc.metadata.finalizers as string[] | undefined)}\n`);
  // Capacity and access modes are the bound volume's, so they stay empty until the claim is bound.
  const bound = Boolean(spec.volumeName);
  w.write(0, `Capacity:\t${bound ? canonicalQuantity(st.capacity?.storage ?? '0') : ''}\n`);
  w.write(0, `Access Modes:\t${bound ? accessModesShort(st.accessModes) : ''}\n`);
  if (spec.volumeMode) w.write(0, `VolumeMode:\t${spec.volumeMode}\n`);
  if (spec.dataSource) {
    w.write(0, 'DataSource:\n');
    if (spec.dataSource.apiGroup) w.write(1, `APIGroup:\t${spec.dataSource.apiGroup}\n`);
    w.write(1, `Kind:\t${spec.dataSource.kind}\n`);
    w.write(1, `Name:\t${spec.dataSource.name}\n`);
  }
  printNames(
    w,
    'Used By',
    users.map((p) => p.metadata.name),
  );
  if (st.conditions?.length) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of st.conditions) w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastProbeTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
  }
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

export async function describePersistentVolume(pv: KubeObject, ctx: DescribeContext): Promise<string> {
  const events = await eventsOf(ctx, pv, 'PersistentVolume');
  const spec: Json = pv.spec ?? {};
  const w = new DescribeWriter();
  w.write(0, `Name:\t${pv.metadata.name}\n`);
  printLabels(w, 'Labels', pv.metadata.labels);
  printAnnotations(w, 'Annotations', pv.metadata.annotations);
  w.write(0, `Finalizers:\t${goList(pv.metadata.finalizers as string[] | undefined)}\n`);
  w.write(0, `StorageClass:\t${pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? ''}\n`);
  w.write(0, pv.metadata.deletionTimestamp ? `Status:\tTerminating (lasts ${ageSince(pv.metadata.deletionTimestamp, ctx.nowMs)})\n` : `Status:\t${pv.status?.phase ?? ''}\n`);
  w.write(0, `Claim:\t${spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : ''}\n`);
  w.write(0, `Reclaim Policy:\t${spec.persistentVolumeReclaimPolicy ?? ''}\n`);
  w.write(0, `Access Modes:\t${accessModesShort(spec.accessModes)}\n`);
  if (spec.volumeMode) w.write(0, `VolumeMode:\t${spec.volumeMode}\n`);
  w.write(0, `Capacity:\t${canonicalQuantity(spec.capacity?.storage ?? '0')}\n`);
  printNodeAffinity(w, spec.nodeAffinity);
  w.write(0, `Message:\t${pv.status?.message ?? ''}\n`);
  w.write(0, 'Source:\n');
  describeVolumeSource(w, spec);
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

function printNodeAffinity(w: Writer, affinity: Json): void {
  w.write(0, 'Node Affinity:\t');
  if (!affinity?.required) {
    w.write(0, '<none>\n');
    return;
  }
  w.write(0, '\n');
  w.write(1, 'Required Terms:\t');
  const terms: Json[] = affinity.required.nodeSelectorTerms ?? [];
  if (terms.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  w.write(0, '\n');
  terms.forEach((term, i) => {
    w.write(2, `Term ${i}:\t`);
    const exprs: Json[] = term.matchExpressions ?? [];
    if (exprs.length === 0) {
      w.write(0, '<none>\n');
      return;
    }
    exprs.forEach((e, j) => {
      if (j > 0) w.write(2, '\t');
      const values: string[] = e.values ?? [];
      w.write(0, `${e.key} ${String(e.operator).toLowerCase()}${values.length ? ` [${values.join(', ')}]` : ''}\n`);
    });
  });
}

export async function describeStorageClass(sc: KubeObject, ctx: DescribeContext): Promise<string> {
  const events = await eventsOf(ctx, sc, 'StorageClass');
  const a = sc.metadata.annotations ?? {};
  const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  const w = new DescribeWriter();
  w.write(0, `Name:\t${sc.metadata.name}\n`);
  w.write(0, `IsDefaultClass:\t${isDefault ? 'Yes' : 'No'}\n`);
  const { ['kubectl.kubernetes.io/last-applied-configuration']: _lastApplied, ...annotations } = a;
  w.write(0, `Annotations:\t${formatLabels(annotations)}\n`);
  w.write(0, `Provisioner:\t${sc.provisioner ?? ''}\n`);
  w.write(0, `Parameters:\t${formatLabels(sc.parameters)}\n`);
  w.write(0, `AllowVolumeExpansion:\t${goBoolPtr(sc.allowVolumeExpansion)}\n`);
  const options: string[] = sc.mountOptions ?? [];
  if (options.length === 0) w.write(0, 'MountOptions:\t<none>\n');
  else {
    w.write(0, 'MountOptions:\n');
    for (const o of options) w.write(1, `${o}\n`);
  }
  if (sc.reclaimPolicy) w.write(0, `ReclaimPolicy:\t${sc.reclaimPolicy}\n`);
  if (sc.volumeBindingMode) w.write(0, `VolumeBindingMode:\t${sc.volumeBindingMode}\n`);
  if (sc.allowedTopologies) {
    w.write(0, 'AllowedTopologies:\t');
    const terms: Json[] = sc.allowedTopologies;
    if (terms.length === 0) w.write(0, '<none>\n');
    else {
      w.write(0, '\n');
      terms.forEach((term, i) => {
        w.write(1, `Term ${i}:\t`);
        const exprs: Json[] = term.matchLabelExpressions ?? [];
        exprs.forEach((e, j) => {
          if (j > 0) w.write(1, '\t');
          w.write(0, `${e.key} in [${(e.values ?? []).join(', ')}]\n`);
        });
        if (exprs.length === 0) w.write(0, '<none>\n');
      });
    }
  }
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}
