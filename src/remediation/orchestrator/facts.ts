/**
 * Which facts beyond the informer caches a reconcile must gather before deciding: the routing
 * checks of a stage read the cluster (managed scope, the target's spec hash) and DataStorage
 * (history), so they are gathered only when the RR is at that stage. Pure, like the decision.
 */
import { ANNOTATION_CANCEL, type RemediationRequest } from '../../api/v1alpha1/index.ts';
import type { Children } from './model.ts';
import type { RoutingStage } from './routing.ts';
import { hasPassed, type TimeView } from './time.ts';

/** The routing stage whose checks this reconcile may run, if any. */
export function stageToCheck(rr: RemediationRequest, children: Children, t: TimeView): RoutingStage | undefined {
  const st = rr.status ?? {};
  if (rr.metadata?.deletionTimestamp || rr.metadata?.annotations?.[ANNOTATION_CANCEL] === 'true') return undefined;
  switch (st.overallPhase) {
    case 'Pending':
      return 'pre-analysis';
    case 'Analyzing': {
      const aa = children.aiAnalysis?.status;
      return aa?.phase === 'Completed' && aa.selectedWorkflow?.workflowId && !aa.approvalRequired ? 'post-analysis' : undefined;
    }
    case 'AwaitingApproval':
      return children.approvalRequest?.status?.decision === 'Approved' ? 'post-analysis' : undefined;
    case 'Blocked': {
      // These wait out their deadline and then fail: no check to repeat.
      if (st.blockReason === 'ConsecutiveFailures' || st.blockReason === 'IneffectiveChain') return undefined;
      if (st.blockedUntil && !hasPassed(t, st.blockedUntil)) return undefined;
      return children.aiAnalysis ? 'post-analysis' : 'pre-analysis';
    }
    default:
      return undefined;
  }
}
