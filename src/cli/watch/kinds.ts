/**
 * The Kubernaut kinds `kubernaut watch` can follow, by the names kubectl knows them by, and their
 * resolution against what the cluster actually serves (API discovery), so a missing CRD is named
 * instead of surfacing as a 404 in the middle of a stream.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterUrl, kubeGetJson, KubeHttpError } from './kube-http.ts';

export const GROUP = 'kubernaut.ai';

export interface KnownKind {
  kind: string;
  plural: string;
  /** The names `--kinds` accepts besides the plural, the singular and the kind (shortNames first). */
  aliases: string[];
}

export const KNOWN_KINDS: readonly KnownKind[] = [
  { kind: 'RemediationRequest', plural: 'remediationrequests', aliases: ['rr'] },
  { kind: 'SignalProcessing', plural: 'signalprocessings', aliases: ['sp'] },
  { kind: 'AIAnalysis', plural: 'aianalyses', aliases: ['aa', 'aia'] },
  { kind: 'WorkflowExecution', plural: 'workflowexecutions', aliases: ['we', 'wfe'] },
  { kind: 'EffectivenessAssessment', plural: 'effectivenessassessments', aliases: ['ea'] },
  { kind: 'RemediationApprovalRequest', plural: 'remediationapprovalrequests', aliases: ['rar'] },
  { kind: 'NotificationRequest', plural: 'notificationrequests', aliases: ['notif', 'nr'] },
  { kind: 'RemediationWorkflow', plural: 'remediationworkflows', aliases: ['rw'] },
];

/** What `kubectl get rr,sp,aa,we,ea` names: the pipeline's five stages. */
export const DEFAULT_KINDS = 'rr,sp,aa,we,ea';

function matches(k: KnownKind, name: string): boolean {
  const n = name.toLowerCase();
  const singular = k.kind.toLowerCase();
  return [k.plural, singular, ...k.aliases, `${k.plural}.${GROUP}`, `${singular}.${GROUP}`].includes(n);
}

/** `rr,sp,aa` (short, singular, plural or kind names; `all` for every known kind) in the order given. */
export function parseKinds(spec: string): KnownKind[] {
  const out: KnownKind[] = [];
  for (const name of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const found = name === 'all' ? [...KNOWN_KINDS] : KNOWN_KINDS.filter((k) => matches(k, name));
    if (!found.length) throw new Error(`"${name}" is not a Kubernaut kind; use ${KNOWN_KINDS.map((k) => k.aliases[0]).join(', ')} or all`);
    for (const k of found) if (!out.includes(k)) out.push(k);
  }
  if (!out.length) throw new Error('--kinds names no kind');
  return out;
}

/** A kind as the cluster serves it. */
export interface ServedKind extends KnownKind {
  version: string;
  namespaced: boolean;
}

interface APIGroup {
  preferredVersion?: { version: string };
  versions?: Array<{ version: string }>;
}

interface APIResourceList {
  resources?: Array<{ name: string; namespaced?: boolean; verbs?: string[] }>;
}

function describe(kinds: KnownKind[]): string {
  return kinds.map((k) => `${k.kind} (${k.aliases[0]})`).join(', ');
}

/**
 * Finds the served version of each kind (the group's preferred version first); throws naming every
 * kind whose CRD is not installed, or which cannot be listed and watched.
 */
export async function resolveKinds(kc: KubeConfig, wanted: KnownKind[]): Promise<ServedKind[]> {
  let group: APIGroup;
  try {
    group = await kubeGetJson<APIGroup>(kc, clusterUrl(kc, `/apis/${GROUP}`));
  } catch (e) {
    if (e instanceof KubeHttpError && e.statusCode === 404) {
      throw new Error(`the ${GROUP} API group is not served: the Kubernaut CRDs are not installed (missing: ${describe(wanted)}); apply deploy/crds/`, { cause: e });
    }
    throw e;
  }
  const versions = [group.preferredVersion?.version, ...(group.versions ?? []).map((v) => v.version)].filter((v, i, all): v is string => !!v && all.indexOf(v) === i);
  const served = new Map<string, ServedKind>();
  for (const version of versions) {
    const list = await kubeGetJson<APIResourceList>(kc, clusterUrl(kc, `/apis/${GROUP}/${version}`));
    for (const r of list.resources ?? []) {
      const known = KNOWN_KINDS.find((k) => k.plural === r.name);
      if (!known || served.has(r.name)) continue;
      if (r.verbs && !(r.verbs.includes('list') && r.verbs.includes('watch'))) continue;
      served.set(r.name, { ...known, version, namespaced: r.namespaced !== false });
    }
  }
  const missing = wanted.filter((k) => !served.has(k.plural));
  if (missing.length) throw new Error(`not installed on this cluster: ${describe(missing)}; apply their CRDs from deploy/crds/`);
  return wanted.map((k) => served.get(k.plural)!);
}
