/**
 * What the real API server's per-kind storage strategies do on top of generic defaulting:
 * allocate Service cluster IPs, mark namespaces Active, accept and establish CRD names,
 * keep the CRD cleanup finalizer.
 */
import type { Clock } from '../../platform/clock.ts';
import { timestamp } from './lifecycle.ts';
import type { ResourceRegistry } from './registry.ts';
import type { KubeObject, ResourceInfo } from '../core/types.ts';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function isKind(info: ResourceInfo, group: string, resource: string): boolean {
  return info.group === group && info.resource === resource;
}

/** Hands out ClusterIPs from 10.96.0.0/12 the way a kind cluster does (10.96.0.1 is `kubernetes`). */
export class ClusterIpAllocator {
  private next = 10;
  allocate(inUse: Set<string>): string {
    for (;;) {
      const n = this.next++;
      const ip = `10.96.${(n >> 8) & 255}.${n & 255}`;
      if ((n & 255) !== 0 && !inUse.has(ip)) return ip;
    }
  }
}

export function beforeCreate(info: ResourceInfo, obj: KubeObject, ctx: { clock: Clock; registry: ResourceRegistry; allocateClusterIp: () => string }): void {
  if (isKind(info, '', 'namespaces')) {
    obj.status = { phase: 'Active' };
  } else if (isKind(info, '', 'services')) {
    const spec = (obj.spec ??= {});
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && !spec.clusterIP) {
      spec.clusterIP = ctx.allocateClusterIp();
      spec.clusterIPs = [spec.clusterIP];
    } else if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      for (const p of spec.ports ?? []) p.nodePort ??= 30000 + Math.floor(Math.random() * 2768);
    }
    obj.status = { loadBalancer: {} };
  } else if (isKind(info, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
    const fins = new Set(obj.metadata.finalizers ?? []);
    fins.add(CRD_CLEANUP_FINALIZER);
    obj.metadata.finalizers = [...fins];
    obj.status = crdStatus(obj, ctx.registry, ctx.clock);
  }
}

export function beforeUpdate(info: ResourceInfo, obj: KubeObject, ctx: { clock: Clock; registry: ResourceRegistry }): void {
  if (isKind(info, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
    obj.status = crdStatus(obj, ctx.registry, ctx.clock, obj.status);
  }
}

/** The status the apiextensions controllers would write: names accepted and the kind established. */
function crdStatus(crd: KubeObject, registry: ResourceRegistry, clock: Clock, previous?: any): any {
  const now = timestamp(clock);
  const conflicts = registry.conflictingNames(crd);
  const accepted = conflicts.length === 0;
  const old = new Map<string, any>((previous?.conditions ?? []).map((c: any) => [c.type, c]));
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastTransitionTime: old.get(type)?.status === status ? old.get(type).lastTransitionTime : now,
    reason,
    message,
  });
  const names = crd.spec?.names ?? {};
  const storage = (crd.spec?.versions ?? []).find((v: any) => v.storage)?.name;
  const stored = new Set<string>(previous?.storedVersions ?? []);
  if (storage) stored.add(storage);
  return {
    conditions: [
      accepted
        ? cond('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found')
        : cond('NamesAccepted', 'False', 'NameConflict', `"${conflicts[0]}" is already in use`),
      accepted
        ? cond('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted')
        : cond('Established', 'False', 'NotAccepted', 'not all names are accepted'),
    ],
    acceptedNames: accepted
      ? {
          plural: names.plural,
          singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
          kind: names.kind,
          listKind: names.listKind ?? `${names.kind}List`,
          ...(names.shortNames ? { shortNames: names.shortNames } : {}),
          ...(names.categories ? { categories: names.categories } : {}),
        }
      : { plural: '', kind: '' },
    storedVersions: [...stored],
  };
}
