/**
 * Whether a signal's target can be a remediation target at all, decided before the Gateway asks
 * the API server about it. Names are checked with the API server's own syntax rules: an invalid
 * name can name no object, and used in a URL it can even name another one (a Pod called ".." in
 * namespace gw is the path of Namespace/gw). Only the workload kinds of the target priority list
 * are remediated; Events about Secrets, RemediationRequests or made-up kinds are refused.
 */
import type { ResourceRef } from './signal.ts';
import { targetKind } from './target-from-labels.ts';

export type TargetProblem = { reason: 'invalid-target' | 'unsupported-kind'; message: string };

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const RULES = {
  'dns1123-label': { pattern: DNS1123_LABEL, maxLength: 63, what: 'a DNS-1123 label' },
  'dns1123-subdomain': { pattern: DNS1123_SUBDOMAIN, maxLength: 253, what: 'a DNS-1123 subdomain' },
  'dns1035-label': { pattern: DNS1035_LABEL, maxLength: 63, what: 'a DNS-1035 label' },
} as const;

function nameProblem(value: string, rule: keyof typeof RULES): string | undefined {
  const { pattern, maxLength, what } = RULES[rule];
  return value.length <= maxLength && pattern.test(value) ? undefined : `must be ${what} (at most ${maxLength} characters)`;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

/** Shown in messages: a hostile value can be megabytes long. */
const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);

/**
 * The target as the Gateway will look it up (the kind's own apiVersion, no namespace for
 * cluster-scoped kinds), or the reason it cannot be a target.
 */
export function validateTarget(ref: ResourceRef): { target: Required<ResourceRef> } | { problem: TargetProblem } {
  const kind = targetKind(ref.kind);
  if (!kind) return { problem: { reason: 'unsupported-kind', message: `kind ${shown(ref.kind)} is not one the Gateway remediates` } };
  // Events name the version their source used (autoscaling/v1 HPAs ...); the group must be the kind's.
  if (ref.apiVersion && groupOf(ref.apiVersion) !== groupOf(kind.apiVersion)) {
    return { problem: { reason: 'unsupported-kind', message: `${shown(ref.apiVersion)} ${ref.kind} is not one the Gateway remediates (expected ${kind.apiVersion})` } };
  }
  const invalid = (field: string, value: string, why: string): { problem: TargetProblem } =>
    ({ problem: { reason: 'invalid-target', message: `${ref.kind} ${field} ${shown(value)} ${why}` } });
  const nameWhy = nameProblem(ref.name, kind.names ?? 'dns1123-subdomain');
  if (nameWhy) return invalid('name', ref.name, nameWhy);
  if (kind.clusterScoped) return { target: { kind: kind.kind, name: ref.name, namespace: '', apiVersion: kind.apiVersion } };
  if (!ref.namespace) return invalid('namespace', ref.namespace, 'is required: the kind is namespaced');
  const namespaceWhy = nameProblem(ref.namespace, 'dns1123-label');
  if (namespaceWhy) return invalid('namespace', ref.namespace, namespaceWhy);
  return { target: { kind: kind.kind, name: ref.name, namespace: ref.namespace, apiVersion: kind.apiVersion } };
}
