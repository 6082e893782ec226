/**
 * Which of two RemediationRequests is older. `creationTimestamp` has whole seconds only, so two RRs
 * of one incident created within the same second would otherwise be ordered by their random name
 * suffix: the Gateway's `kubernaut.ai/created-at` annotation (milliseconds) breaks that tie, the
 * name only what is left. The Gateway (which RR absorbs a repeat) and the Orchestrator (which RR is
 * the original, which the duplicate) must agree, so both use this one order.
 */
import type { RemediationRequest } from './generated/remediationrequest.ts';
import { ANNOTATION_CREATED_AT } from './labels.ts';

function ms(value: string | Date | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/** Negative when `a` is older than `b`, positive when younger, 0 only for the same name. */
export function compareRemediationRequestAge(a: RemediationRequest, b: RemediationRequest): number {
  const created = ms(a.metadata?.creationTimestamp as string | Date | undefined) - ms(b.metadata?.creationTimestamp as string | Date | undefined);
  if (created) return created;
  const received = ms(a.metadata?.annotations?.[ANNOTATION_CREATED_AT]) - ms(b.metadata?.annotations?.[ANNOTATION_CREATED_AT]);
  if (received) return received;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}
