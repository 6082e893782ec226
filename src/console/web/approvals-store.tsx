// The approval list, shared by the header's pending badge and the Approvals page, so both show
// the same answer from one request, refetched when an approval request changes.
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { ApprovalList } from '../api-types.ts';
import { type Resource, useResource } from './hooks.ts';
import { useLiveChanges } from './live.tsx';

const ApprovalsContext = createContext<Resource<ApprovalList>>({ loading: true, reload: () => {} });

export function ApprovalsProvider(props: { sessionKey: string; children: ComponentChildren }) {
  const approvals = useResource<ApprovalList>('/api/approvals');
  useLiveChanges((e) => e.kind === 'RemediationApprovalRequest', approvals.reload);
  // Who may read may change with a sign-in or out: load again then (not on the first render).
  const sessionKey = useRef(props.sessionKey);
  useEffect(() => {
    if (sessionKey.current === props.sessionKey) return;
    sessionKey.current = props.sessionKey;
    approvals.reload();
  }, [props.sessionKey, approvals.reload]);
  return <ApprovalsContext.Provider value={approvals}>{props.children}</ApprovalsContext.Provider>;
}

export function useApprovals(): Resource<ApprovalList> {
  return useContext(ApprovalsContext);
}
