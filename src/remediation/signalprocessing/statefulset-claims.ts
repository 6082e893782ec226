/**
 * Which StatefulSet a PersistentVolumeClaim or Pod belongs to, by name alone. A StatefulSet's
 * claims are named `<template>-<statefulset>-<ordinal>` and its pods `<statefulset>-<ordinal>`, and
 * neither needs to exist for the name to tell: the reference scenario deletes the claim (and the
 * pod), and the signal is still about that StatefulSet. Claims carry no controller
 * ownerReference (unless a retention policy added one), so the name is the only link anyway.
 */
import type { V1StatefulSet } from '@kubernetes/client-node';

export interface StatefulSetMatch {
  statefulSet: V1StatefulSet;
  /** The volumeClaimTemplate the claim was made from (claims only). */
  template?: string;
  ordinal: number;
}

/** The StatefulSet whose volumeClaimTemplate `<template>` made (or would make) claim `claimName`. */
export function statefulSetOfClaim(claimName: string, statefulSets: readonly V1StatefulSet[]): StatefulSetMatch | undefined {
  // Sorted by name, so a name two sets could have made (template "a-b" of set "c", template "a" of
  // set "b-c") maps to the same one every time.
  for (const sts of sortedByName(statefulSets)) {
    const name = sts.metadata?.name;
    if (!name) continue;
    for (const template of sts.spec?.volumeClaimTemplates ?? []) {
      const t = template.metadata?.name;
      if (!t) continue;
      const ordinal = ordinalAfter(claimName, `${t}-${name}-`);
      if (ordinal !== undefined) return { statefulSet: sts, template: t, ordinal };
    }
  }
  return undefined;
}

/** The StatefulSet whose pod `podName` is (or would be). */
export function statefulSetOfPod(podName: string, statefulSets: readonly V1StatefulSet[]): StatefulSetMatch | undefined {
  for (const sts of sortedByName(statefulSets)) {
    const name = sts.metadata?.name;
    if (!name) continue;
    const ordinal = ordinalAfter(podName, `${name}-`);
    if (ordinal !== undefined) return { statefulSet: sts, ordinal };
  }
  return undefined;
}

function ordinalAfter(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  // Ordinals are written without leading zeros ("0", "12").
  return /^(0|[1-9][0-9]{0,8})$/.test(rest) ? Number(rest) : undefined;
}

function sortedByName(statefulSets: readonly V1StatefulSet[]): V1StatefulSet[] {
  return [...statefulSets].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}
