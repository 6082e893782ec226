/**
 * Discovery documents: the legacy ones (/api, /apis, /api/v1, /apis/<g>/<v>) and the aggregated
 * `apidiscovery.k8s.io/v2` lists that kubectl 1.32 asks for first (one request for everything).
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from './registry.ts';
import type { ResourceInfo } from '../core/types.ts';
import { groupVersion } from '../core/types.ts';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version (if any) the Accept header asks for. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s/g, '');
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return version === 'v2' ? AGGREGATED_CONTENT_TYPE : AGGREGATED_V2BETA1_CONTENT_TYPE;
}

/** Preferred version of a group: the storage version of its resources, else the first served. */
function preferredVersion(resources: ResourceInfo[]): string {
  const versions = [...new Set(resources.map((r) => r.version))];
  const storage = resources.find((r) => r.version === r.storageVersion)?.version;
  return storage ?? sortVersions(versions)[0];
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function sortVersions(versions: string[]): string[] {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stability = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stability, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.localeCompare(b);
  });
}

function subresourceVerbs(sub: string): string[] {
  if (sub === 'log') return ['get'];
  if (sub === 'binding' || sub === 'eviction' || sub === 'token') return ['create'];
  return ['get', 'patch', 'update'];
}

function subresourceKind(info: ResourceInfo, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'binding') return { group: '', version: 'v1', kind: 'Binding' };
  if (sub === 'eviction') return { group: 'policy', version: 'v1', kind: 'Eviction' };
  if (sub === 'token') return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' };
  if (sub === 'log') return { group: '', version: 'v1', kind: 'Pod' };
  return { group: info.group, version: info.version, kind: info.kind };
}

function subresourcesOf(info: ResourceInfo): string[] {
  return Object.entries(info.subresources)
    .filter(([, v]) => Boolean(v))
    .map(([k]) => k);
}

function storageVersionHash(info: ResourceInfo): string {
  return createHash('sha256').update(`${info.group}/${info.storageVersion}/${info.kind}`).digest('base64').slice(0, 11);
}

export class Discovery {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly serverAddress: () => string,
  ) {}

  /** GET /api (legacy). */
  coreVersions(): object {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
    };
  }

  /** GET /apis (legacy). */
  groupList(): object {
    const groups = [...this.registry.groups().entries()].filter(([g]) => g !== '');
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(([name, rs]) => this.group(name, rs)) };
  }

  /** GET /apis/<group> (legacy); undefined when the group is not served. */
  apiGroup(name: string): object | undefined {
    const rs = this.registry.groups().get(name);
    if (!name || !rs) return undefined;
    return { kind: 'APIGroup', apiVersion: 'v1', ...this.group(name, rs) };
  }

  private group(name: string, rs: ResourceInfo[]) {
    const versions = sortVersions([...new Set(rs.map((r) => r.version))]);
    const preferred = preferredVersion(rs);
    return {
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
    };
  }

  /** GET /api/v1 or /apis/<g>/<v> (legacy); undefined when not served. */
  resourceList(group: string, version: string): object | undefined {
    const rs = this.registry.all().filter((r) => r.group === group && r.version === version);
    if (rs.length === 0) return undefined;
    const resources: object[] = [];
    for (const r of rs) {
      resources.push({
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
        storageVersionHash: storageVersionHash(r),
      });
      for (const sub of subresourcesOf(r)) {
        const k = subresourceKind(r, sub);
        resources.push({
          name: `${r.resource}/${sub}`,
          singularName: '',
          namespaced: r.namespaced,
          ...(k.group !== r.group || k.version !== r.version ? { group: k.group, version: k.version } : {}),
          kind: k.kind,
          verbs: subresourceVerbs(sub),
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
  }

  /** The aggregated list for /api (core only) or /apis (every other group). */
  aggregated(core: boolean, version: 'v2' | 'v2beta1'): { body: object; etag: string } {
    const items: object[] = [];
    for (const [name, rs] of this.registry.groups()) {
      if ((name === '') !== core) continue;
      const versions = sortVersions([...new Set(rs.map((r) => r.version))]);
      // The preferred version comes first in the list, as clients take the first one.
      const preferred = preferredVersion(rs);
      versions.sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : 0));
      items.push({
        metadata: { name, creationTimestamp: null },
        versions: versions.map((v) => ({
          version: v,
          resources: rs
            .filter((r) => r.version === v)
            .map((r) => ({
              resource: r.resource,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: r.verbs,
              ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
              ...(r.categories.length ? { categories: r.categories } : {}),
              ...(subresourcesOf(r).length
                ? {
                    subresources: subresourcesOf(r).map((sub) => ({
                      subresource: sub,
                      responseKind: subresourceKind(r, sub),
                      verbs: subresourceVerbs(sub),
                    })),
                  }
                : {}),
            })),
          freshness: 'Current',
        })),
      });
    }
    const body = { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}"`;
    return { body, etag };
  }
}
