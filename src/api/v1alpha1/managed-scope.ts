/**
 * Kubernaut's one managed-scope rule: a signal is in scope when its target, the target's root owner or
 * their namespace carries `kubernaut.ai/managed: "true"`. The Gateway applies it at ingress and the
 * Orchestrator re-checks it (labels change) before blocking with UnmanagedResource; both import this
 * pure function so the rule cannot drift between them.
 */
import { LABEL_MANAGED } from './labels.ts';

type Labels = Readonly<Record<string, string>> | undefined;

/** Labels of the three objects the rule looks at; an object that was not found has no labels. */
export interface ManagedScopeLabels {
  target: Labels;
  rootOwner: Labels;
  namespace: Labels;
}

/** True when any of the three carries `kubernaut.ai/managed: "true"` (exactly that value). */
export function isManagedScope({ target, rootOwner, namespace }: ManagedScopeLabels): boolean {
  return [target, rootOwner, namespace].some((labels) => labels?.[LABEL_MANAGED] === 'true');
}
