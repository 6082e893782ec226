/**
 * POST /api/approvals/:namespace/:name/decision: an approver's Approve or Reject from the console,
 * written exactly as `kubernaut approve|reject` writes it (decideApproval: the RAR's status
 * subresource, guarded by resourceVersion), with decidedBy = the authenticated user. Only a user
 * RBAC allows to update that RAR's status gets here (ConsoleAuth.requireDecider); the write itself
 * is made with the console's own ServiceAccount.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { REMEDIATION_APPROVAL_REQUEST_GVR, type RemediationApprovalRequest } from '../../api/v1alpha1/index.ts';
import { messageOf, statusCodeOf } from '../../kube/api-errors.ts';
import { ProblemError } from '../../platform/http/app.ts';
import { ApprovalDecisionError, decideApproval } from '../../remediation/orchestrator/approval-decision.ts';
import { approvalRequestName } from '../../remediation/orchestrator/names.ts';
import type { ApprovalView, DecisionRequest } from '../api-types.ts';
import { approvalView } from '../server/views/approval.ts';
import type { KObj } from '../server/views/objects.ts';
import type { ConsoleAuth } from './console-auth.ts';

export const DECISION_ROUTE = '/api/approvals/:namespace/:name/decision';
export const MAX_DECISION_MESSAGE = 1000;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const Params = z.object({
  namespace: z.string().max(63).regex(DNS1123_LABEL, 'a namespace name (DNS-1123 label)'),
  name: z.string().max(253).regex(DNS1123_SUBDOMAIN, 'an object name (DNS-1123 subdomain)'),
});

const Body = z
  .object({
    decision: z.enum(['Approved', 'Rejected']),
    message: z.string().max(MAX_DECISION_MESSAGE).optional(),
  })
  .strict() satisfies z.ZodType<DecisionRequest>;

export interface DecisionRouteOptions {
  /** The console's own access to the cluster (reads the RAR, writes the decision). */
  kc: KubeConfig;
  auth: ConsoleAuth;
}

export function registerDecisionRoute(app: FastifyInstance, opts: DecisionRouteOptions): void {
  const api = opts.kc.makeApiClient(CustomObjectsApi);
  app.post(DECISION_ROUTE, { bodyLimit: 16 * 1024 }, async (req, reply): Promise<ApprovalView> => {
    const params = Params.safeParse(req.params);
    if (!params.success) throw invalid('the path names no valid approval request', params.error);
    const { namespace, name } = params.data;
    const user = await opts.auth.requireDecider(req, { namespace, name });
    const body = Body.safeParse(req.body);
    if (!body.success) throw invalid(`the body must be {"decision": "Approved"|"Rejected", "message"?: string of at most ${MAX_DECISION_MESSAGE} characters}`, body.error);

    let rar: RemediationApprovalRequest;
    try {
      rar = (await api.getNamespacedCustomObject({ ...REMEDIATION_APPROVAL_REQUEST_GVR, namespace, name })) as RemediationApprovalRequest;
    } catch (err) {
      if (statusCodeOf(err) === 404) throw new ProblemError(404, 'Not Found', `no approval request ${name} in namespace ${namespace}`);
      throw clusterProblem(reply, err);
    }
    // decideApproval addresses the RAR by its RemediationRequest; the name must lead back to this very object.
    const rr = rar.spec?.remediationRequestRef?.name;
    if (!rr || approvalRequestName(rr) !== name) {
      throw new ProblemError(409, 'Conflict', `${name} does not belong to a RemediationRequest by Kubernaut's naming (rar-<remediation>); decide it with kubectl`);
    }
    try {
      const decided = await decideApproval(opts.kc, { rr, namespace, decision: body.data.decision, message: body.data.message, decidedBy: user.username });
      return approvalView(decided as KObj, new Date());
    } catch (err) {
      if (err instanceof ApprovalDecisionError) throw new ProblemError(409, 'Conflict', err.message);
      throw clusterProblem(reply, err);
    }
  });
}

function invalid(detail: string, error: z.ZodError): ProblemError {
  return new ProblemError(400, 'Bad Request', detail, { errors: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
}

/** The cluster refused or could not be reached: retryable when it was not reached at all. */
function clusterProblem(reply: FastifyReply, err: unknown): ProblemError {
  const code = statusCodeOf(err);
  if (code === undefined || code >= 500 || code === 429) {
    reply.header('retry-after', '1');
    return new ProblemError(503, 'Service Unavailable', `the cluster cannot be reached right now: ${messageOf(err).slice(0, 300)}`);
  }
  return new ProblemError(502, 'Bad Gateway', `the cluster refused the console's request (${code}): ${messageOf(err).slice(0, 300)}`);
}
