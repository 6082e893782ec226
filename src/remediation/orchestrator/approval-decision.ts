/**
 * `kubernaut approve|reject <rr>`: writes an approver's decision onto `rar-<rr>` through the status
 * subresource, guarded by the resourceVersion read (a concurrent write makes us read again and
 * re-check). A decision is final: an already decided or expired request is refused with a message
 * that says by whom and when. The Orchestrator reacts to the decision (and stamps decidedAt).
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { REMEDIATION_APPROVAL_REQUEST_GVR, type RemediationApprovalRequest } from '../../api/v1alpha1/index.ts';
import { messageOf, statusCodeOf } from '../../kube/api-errors.ts';
import { approvalRequestName } from './names.ts';

export interface ApprovalDecisionInput {
  /** The RemediationRequest's name. */
  rr: string;
  namespace: string;
  decision: 'Approved' | 'Rejected';
  message?: string;
  /** Who decides (the authenticated user). */
  decidedBy: string;
  /** Real now (default: the wall clock); the request's requiredBy is a real timestamp. */
  now?: Date;
}

export class ApprovalDecisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalDecisionError';
  }
}

const MAX_CONFLICT_RETRIES = 5;

export async function decideApproval(kc: KubeConfig, input: ApprovalDecisionInput): Promise<RemediationApprovalRequest> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const name = approvalRequestName(input.rr);
  const ref = { ...REMEDIATION_APPROVAL_REQUEST_GVR, namespace: input.namespace, name };
  for (let attempt = 0; ; attempt++) {
    let rar: RemediationApprovalRequest;
    try {
      rar = (await api.getNamespacedCustomObject(ref)) as RemediationApprovalRequest;
    } catch (err) {
      if (statusCodeOf(err) === 404) {
        throw new ApprovalDecisionError(`no approval request ${name} in namespace ${input.namespace}: RemediationRequest ${input.rr} is not awaiting approval (or does not exist)`);
      }
      throw err;
    }
    refuseIfFinal(rar, name, input.now ?? new Date());
    const body: RemediationApprovalRequest = {
      ...rar,
      status: {
        ...rar.status,
        decision: input.decision,
        decidedBy: input.decidedBy,
        ...(input.message ? { decisionMessage: input.message } : {}),
      },
    };
    try {
      return (await api.replaceNamespacedCustomObjectStatus({ ...ref, body })) as RemediationApprovalRequest;
    } catch (err) {
      const code = statusCodeOf(err);
      // Someone wrote in between (the Orchestrator's bookkeeping, another approver): look again.
      if (code === 409 && attempt < MAX_CONFLICT_RETRIES) continue;
      if (code === 404) throw new ApprovalDecisionError(`approval request ${name} was deleted (the RemediationRequest was cancelled or cleaned up)`);
      if (code === 422) throw new ApprovalDecisionError(`${name} refused the decision: ${messageOf(err)}`);
      throw err;
    }
  }
}

function refuseIfFinal(rar: RemediationApprovalRequest, name: string, now: Date): void {
  const st = rar.status ?? {};
  if (st.decision) {
    const who = st.decidedBy ? ` by ${st.decidedBy}` : '';
    const when = st.decidedAt ? ` at ${st.decidedAt}` : '';
    throw new ApprovalDecisionError(`${name} is already decided: ${st.decision}${who}${when}`);
  }
  if (st.expired || Date.parse(rar.spec.requiredBy) <= now.getTime()) {
    throw new ApprovalDecisionError(`${name} expired at ${rar.spec.requiredBy}; it can no longer be approved or rejected`);
  }
}
