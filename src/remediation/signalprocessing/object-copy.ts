/**
 * Labels and annotations as SignalProcessing copies them into its status (crds.md §12): the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (a whole copy of the object) is
 * dropped, label values are cut to 63 and annotation values to 4,096 characters, and at most 256
 * entries are kept: the limits of the AIAnalysis schema, so an AIAnalysis can always be created
 * from what SignalProcessing recorded.
 */

export const DROPPED_ANNOTATIONS: ReadonlySet<string> = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
export const MAX_LABEL_VALUE = 63;
export const MAX_ANNOTATION_VALUE = 4096;
export const MAX_ENTRIES = 256;

export function copyLabels(labels: Record<string, string | undefined> | undefined): Record<string, string> {
  return copy(labels, MAX_LABEL_VALUE, new Set());
}

export function copyAnnotations(annotations: Record<string, string | undefined> | undefined): Record<string, string> {
  return copy(annotations, MAX_ANNOTATION_VALUE, DROPPED_ANNOTATIONS);
}

function copy(m: Record<string, string | undefined> | undefined, maxValue: number, dropped: ReadonlySet<string>): Record<string, string> {
  // Sorted, so which entries survive the cap does not depend on the order the API server used.
  const keys = Object.keys(m ?? {})
    .filter((k) => typeof m![k] === 'string' && !dropped.has(k))
    .sort()
    .slice(0, MAX_ENTRIES);
  return Object.fromEntries(keys.map((k) => [k, m![k]!.slice(0, maxValue)]));
}
