/**
 * Dry run: the WorkflowExecution is carried to its end without creating anything, and what would
 * have run (the Job, exactly as built) goes to the audit trail. Asked for by the controller's
 * `dryRun` setting, by the annotation `kubernaut.ai/dry-run: "true"` on the RemediationRequest, or
 * by the label `kubernaut.ai/dry-run: "true"` on the target's namespace (or the WE's namespace).
 */
export const DRY_RUN_MARK = 'kubernaut.ai/dry-run';

export interface DryRunFacts {
  global: boolean;
  rr?: { namespace: string; name: string; annotations?: Record<string, string> };
  /** Labels of the namespaces that may ask for it (undefined: the namespace does not exist). */
  namespaces: { name: string; labels: Record<string, string> | undefined }[];
}

/** Who asked for a dry run, in words for the status and the audit; undefined when nobody did. */
export function dryRunRequestedBy(f: DryRunFacts): string | undefined {
  if (f.global) return 'the controller setting dryRun';
  if (f.rr?.annotations?.[DRY_RUN_MARK] === 'true') return `the annotation ${DRY_RUN_MARK} on RemediationRequest ${f.rr.namespace}/${f.rr.name}`;
  const ns = f.namespaces.find((n) => n.labels?.[DRY_RUN_MARK] === 'true');
  return ns ? `the label ${DRY_RUN_MARK} on namespace ${ns.name}` : undefined;
}
