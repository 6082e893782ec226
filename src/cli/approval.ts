/**
 * `kubernaut approve|reject <rr>`: decides the RemediationApprovalRequest `rar-<rr>` as the user the
 * cluster authenticates (asked with a SelfSubjectReview, as `kubectl auth whoami` does), so the
 * decision names a person and not just whatever the kubeconfig calls its user.
 */
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './services.ts';

/** Who the cluster says we are; the kubeconfig's user name when the cluster cannot tell (old API servers). */
export async function authenticatedUser(kc: KubeConfig): Promise<string> {
  try {
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const name = review.status?.userInfo?.username;
    if (name) return name;
  } catch {
    // fall through to the kubeconfig's own name
  }
  return kc.getCurrentUser()?.name ?? 'unknown';
}

export async function runDecision(decision: 'Approved' | 'Rejected', rr: string, opts: { namespace?: string; kubeconfig?: string; message?: string }): Promise<number> {
  const kc = await loadKubeConfig(opts.kubeconfig);
  const namespace = opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const { decideApproval } = await import('../remediation/orchestrator/approval-decision.ts');
  try {
    const decidedBy = await authenticatedUser(kc);
    await decideApproval(kc, { rr, namespace, decision, message: opts.message, decidedBy });
    process.stdout.write(`remediationapprovalrequest/rar-${rr} ${decision.toLowerCase()} by ${decidedBy}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`kubernaut: ${(e as Error).message}\n`);
    return 1;
  }
}
