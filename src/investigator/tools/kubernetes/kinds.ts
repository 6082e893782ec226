/**
 * Which kinds the investigator may read, and how a name the LLM writes (`Pod`, `pods`, `po`,
 * `sts`, `PersistentVolumeClaim`, `deployments.apps`) maps to one. Versions, short names and the
 * Kubernaut CRDs come from API discovery (cached per KubeConfig for a while); the allowlist below is
 * what limits reads, and doubles as the fallback when discovery cannot be read.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../../platform/clock.ts';
import { KUBERNAUT_RESOURCES } from '../../../kube/resource.ts';
import { ToolError } from '../types.ts';
import { KubeReader } from './client.ts';
import { untilAborted } from '../../../platform/abort.ts';

export interface ResolvedKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
}

type Entry = Omit<ResolvedKind, 'singular'>;

const entry = (group: string, version: string, plural: string, kind: string, namespaced: boolean, shortNames: string[] = []): Entry => ({ group, version, plural, kind, namespaced, shortNames });

/**
 * Read-only kinds worth looking at in an investigation, in the order ambiguous names resolve
 * (core before events.k8s.io for `events`). RBAC, leases, tokens and reviews are left out on
 * purpose; secrets are in, with their values redacted.
 */
const ALLOWED: Entry[] = [
  entry('', 'v1', 'pods', 'Pod', true, ['po']),
  entry('', 'v1', 'services', 'Service', true, ['svc']),
  entry('', 'v1', 'endpoints', 'Endpoints', true, ['ep']),
  entry('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  entry('', 'v1', 'secrets', 'Secret', true),
  entry('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']),
  entry('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv']),
  entry('', 'v1', 'nodes', 'Node', false, ['no']),
  entry('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
  entry('', 'v1', 'events', 'Event', true, ['ev']),
  entry('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  entry('', 'v1', 'resourcequotas', 'ResourceQuota', true, ['quota']),
  entry('', 'v1', 'limitranges', 'LimitRange', true, ['limits']),
  entry('', 'v1', 'replicationcontrollers', 'ReplicationController', true, ['rc']),
  entry('apps', 'v1', 'deployments', 'Deployment', true, ['deploy']),
  entry('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs']),
  entry('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts']),
  entry('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds']),
  entry('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  entry('batch', 'v1', 'jobs', 'Job', true),
  entry('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj']),
  entry('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa']),
  entry('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb']),
  entry('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing']),
  entry('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  entry('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, ['netpol']),
  entry('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  entry('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  entry('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false),
  entry('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
  entry('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false),
  entry('events.k8s.io', 'v1', 'events', 'Event', true, ['ev']),
];

/** Every resource of these groups is readable (Kubernaut's own CRDs). */
const ALLOWED_GROUPS = new Set(['kubernaut.ai']);

const allowedKey = (group: string, plural: string): string => `${plural}.${group}`;
const ALLOWED_KEYS = new Map(ALLOWED.map((e, i) => [allowedKey(e.group, e.plural), i]));
const groupRank = (group: string): number => {
  const i = ALLOWED.findIndex((e) => e.group === group);
  return i === -1 ? ALLOWED.length : i;
};

function staticKinds(): ResolvedKind[] {
  const kubernaut = Object.values(KUBERNAUT_RESOURCES).map((r) => entry(r.group, r.version, r.plural, r.kind, r.namespaced));
  return [...ALLOWED, ...kubernaut].map(withSingular);
}

function withSingular(e: Entry & { singular?: string }): ResolvedKind {
  return { ...e, singular: e.singular || e.kind.toLowerCase() };
}

interface DiscoveredResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
}

function isAllowed(group: string, plural: string): boolean {
  return ALLOWED_GROUPS.has(group) || ALLOWED_KEYS.has(allowedKey(group, plural));
}

/** The readable kinds the server has, in resolution order. */
async function discover(reader: KubeReader): Promise<ResolvedKind[]> {
  const fromList = (group: string, version: string, list: { resources?: DiscoveredResource[] }): ResolvedKind[] =>
    (list.resources ?? [])
      .filter((r) => !r.name.includes('/') && isAllowed(group, r.name) && (r.verbs ?? ['get', 'list']).includes('get') && (r.verbs ?? ['list']).includes('list'))
      .map((r) => withSingular({ group, version, plural: r.name, kind: r.kind, namespaced: r.namespaced, shortNames: r.shortNames ?? [], singular: r.singularName }));

  const groups = await reader.json<{ groups?: Array<{ name: string; preferredVersion?: { version: string }; versions?: Array<{ version: string }> }> }>('/apis');
  const fallback = staticKinds();
  const lists = await Promise.all([
    reader.json('/api/v1').then(
      (l) => fromList('', 'v1', l),
      () => fallback.filter((k) => k.group === ''),
    ),
    ...(groups.groups ?? [])
      .filter((g) => ALLOWED_GROUPS.has(g.name) || ALLOWED.some((e) => e.group === g.name))
      .map((g) => {
        const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
        if (!version) return Promise.resolve([]);
        return reader.json(`/apis/${g.name}/${version}`).then(
          (l) => fromList(g.name, version, l),
          () => fallback.filter((k) => k.group === g.name),
        );
      }),
  ]);
  const found = lists.flat();
  const order = (k: ResolvedKind): number => ALLOWED_KEYS.get(allowedKey(k.group, k.plural)) ?? ALLOWED.length + groupRank(k.group);
  return found.sort((a, b) => order(a) - order(b) || a.kind.localeCompare(b.kind));
}

interface CacheEntry {
  at: number;
  kinds: Promise<ResolvedKind[]>;
}

const cache = new WeakMap<KubeConfig, CacheEntry>();
/** How long discovery answers are reused; a kind not found is looked up again after the shorter one. */
const TTL_MS = 5 * 60_000;
const MISS_REFRESH_MS = 30_000;

/** Real milliseconds one discovery round may take; it is shared, so no single caller's signal governs it. */
const DISCOVERY_TIMEOUT_MS = 15_000;

function readableKinds(kubeconfig: KubeConfig, clock: Clock, refresh = false): Promise<ResolvedKind[]> {
  const now = clock.nowMs();
  const cached = cache.get(kubeconfig);
  if (cached && !refresh && now - cached.at < TTL_MS) return cached.kinds;
  if (cached && refresh && now - cached.at < MISS_REFRESH_MS) return cached.kinds;
  const reader = new KubeReader(kubeconfig, AbortSignal.timeout(DISCOVERY_TIMEOUT_MS));
  const entry: CacheEntry = { at: now, kinds: Promise.resolve([]) };
  // Whatever goes wrong (no permission, a slow server), the allowlist still resolves the built-in
  // kinds; discovery is tried again sooner than after a success.
  entry.kinds = discover(reader).catch(() => {
    entry.at = now - TTL_MS + MISS_REFRESH_MS;
    return staticKinds();
  });
  cache.set(kubeconfig, entry);
  return entry.kinds;
}


function match(kinds: ResolvedKind[], text: string): ResolvedKind | undefined {
  const wanted = text.trim();
  const lower = wanted.toLowerCase();
  const byName = (k: ResolvedKind, name: string): boolean =>
    k.kind.toLowerCase() === name || k.plural === name || k.singular === name || k.shortNames.some((s) => s.toLowerCase() === name);
  const exact = kinds.find((k) => byName(k, lower));
  if (exact) return exact;
  // `deployments.apps`, `Event.events.k8s.io`, `statefulsets.v1.apps`: a name qualified by its group.
  const dot = lower.indexOf('.');
  if (dot > 0) {
    const name = lower.slice(0, dot);
    let group = lower.slice(dot + 1);
    const versioned = /^(v\d+(?:(?:alpha|beta)\d+)?)\.(.+)$/.exec(group);
    if (versioned) group = versioned[2];
    return kinds.find((k) => k.group === group && byName(k, name) && (!versioned || k.version === versioned[1]));
  }
  return undefined;
}

/** The readable kind `text` names; a ToolError listing the readable kinds otherwise. */
export async function resolveKind(text: string, deps: { kubeconfig: KubeConfig; clock: Clock }, signal: AbortSignal): Promise<ResolvedKind> {
  let kinds = await untilAborted(readableKinds(deps.kubeconfig, deps.clock), signal);
  let found = match(kinds, text);
  if (!found) {
    kinds = await untilAborted(readableKinds(deps.kubeconfig, deps.clock, true), signal);
    found = match(kinds, text);
  }
  if (found) return found;
  const names = [...new Set(kinds.map((k) => k.kind))];
  throw new ToolError(`kind ${JSON.stringify(text)} is not readable by the investigator; readable kinds: ${names.join(', ')}`);
}

/** `kind` or `kind.group`, as `kubectl get` names a kind in its messages. */
export function qualifiedKind(k: ResolvedKind): string {
  return k.group ? `${k.kind}.${k.group}` : k.kind;
}

/** '/api/v1[/namespaces/ns]/plural[/name]' or '/apis/group/version[/namespaces/ns]/plural[/name]'. */
export function pathOf(k: ResolvedKind, namespace?: string, name?: string): string {
  const root = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const scope = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${k.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

export const isSecret = (k: ResolvedKind): boolean => k.group === '' && k.plural === 'secrets';
