/**
 * Alert resolution (crds.md §6), pure: which active alerts still speak against the remediation,
 * and the score. Alertmanager is asked for the alert's name and namespace; here the answers are
 * narrowed to the remediation: alerts about pods that no longer exist are stale (the pod was
 * replaced), and alerts naming another object of a target's kind are about something else.
 */

export interface AlertTarget {
  kind: string;
  name: string;
}

export interface ActiveAlert {
  labels: Record<string, string>;
}

export interface AlertVerdict {
  /** 1 when no relevant alert is active, else 0. */
  score: number;
  firing: number;
  ignored: number;
}

/** `existingPods`: names of the pods that exist in the alert's namespace. */
export function alertScore(alerts: readonly ActiveAlert[], ctx: { targets: readonly AlertTarget[]; existingPods: ReadonlySet<string> }): AlertVerdict {
  const relevant = alerts.filter((a) => isRelevant(a, ctx));
  return { score: relevant.length ? 0 : 1, firing: relevant.length, ignored: alerts.length - relevant.length };
}

function isRelevant(a: ActiveAlert, ctx: { targets: readonly AlertTarget[]; existingPods: ReadonlySet<string> }): boolean {
  const pod = a.labels.pod;
  if (pod !== undefined && pod !== '' && !ctx.existingPods.has(pod)) return false;
  // Pods are replaced under new names, so a pod label is judged by existence alone.
  for (const t of ctx.targets) {
    if (t.kind === 'Pod') continue;
    const named = a.labels[t.kind.toLowerCase()];
    if (named !== undefined && named !== '' && named !== t.name && !ctx.targets.some((o) => o.kind === t.kind && o.name === named)) return false;
  }
  return true;
}

/** Pod names an alert list refers to (to be checked for existence). */
export function podsNamed(alerts: readonly ActiveAlert[]): string[] {
  return [...new Set(alerts.map((a) => a.labels.pod).filter((p): p is string => typeof p === 'string' && p !== ''))];
}
