/**
 * core/v1 NodeSelector matching: terms are ORed, the requirements inside a term ANDed;
 * matchExpressions test node labels (In, NotIn, Exists, DoesNotExist, Gt, Lt), matchFields
 * test `metadata.name` (In, NotIn). A term with no requirement matches no node.
 */
import type { KubeObject } from '../core/types.ts';

function matchRequirement(req: any, value: string | undefined): boolean {
  const values: string[] = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0], 10);
      if (!Number.isFinite(have) || !Number.isFinite(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

export function matchesNodeSelectorTerm(term: any, node: KubeObject): boolean {
  const exprs: any[] = term?.matchExpressions ?? [];
  const fields: any[] = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) {
    if (!matchRequirement(e, Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined)) return false;
  }
  for (const f of fields) {
    if (f.key !== 'metadata.name' || !matchRequirement(f, node.metadata.name)) return false;
  }
  return true;
}

/** A required NodeSelector (`nodeSelectorTerms`): undefined means "any node". */
export function matchesNodeSelector(selector: any, node: KubeObject): boolean {
  if (!selector) return true;
  const terms: any[] = selector.nodeSelectorTerms ?? [];
  return terms.some((t) => matchesNodeSelectorTerm(t, node));
}

/** The pod's spec.nodeSelector and required node affinity together (the NodeAffinity plugin). */
export function podMatchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries<string>(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  return matchesNodeSelector(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, node);
}

/** A StorageClass's allowedTopologies (terms of label key/values) against a node's labels. */
export function matchesTopologyTerms(terms: any[] | undefined, node: KubeObject): boolean {
  if (!terms || terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t: any) => (t.matchLabelExpressions ?? []).every((e: any) => (e.values ?? []).includes(labels[e.key])));
}
