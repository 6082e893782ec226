/**
 * A StatefulSet names the claims of its replicas `<template>-<statefulset>-<ordinal>`, one per
 * volumeClaimTemplate. The name alone is enough to find the StatefulSet, whether the claim exists or
 * was deleted (the reference incident: the claim of replica 2 is gone, its pod Pending).
 */
import type { KubeObject } from './objects.ts';

export interface ClaimOwner {
  statefulSet: KubeObject;
  template: string;
  ordinal: number;
}

/** The StatefulSet (of `statefulSets`, one namespace) whose claim template produces `claimName`, if any. */
export function statefulSetOfClaim(claimName: string, statefulSets: KubeObject[]): ClaimOwner | undefined {
  const m = /^(.+)-(\d{1,9})$/.exec(claimName);
  if (!m) return undefined;
  const [, prefix, ordinal] = m;
  for (const sts of statefulSets) {
    const stsName = sts.metadata?.name;
    if (!stsName) continue;
    for (const tpl of (sts.spec?.volumeClaimTemplates ?? []) as Array<{ metadata?: { name?: string } }>) {
      const template = tpl.metadata?.name;
      if (template && prefix === `${template}-${stsName}`) return { statefulSet: sts, template, ordinal: Number(ordinal) };
    }
  }
  return undefined;
}
