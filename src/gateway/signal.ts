/** The Gateway's adapter-independent view of one incoming signal. */

export type SignalSource = 'prometheus' | 'kubernetes-events';

/** A Kubernetes object named by a signal (or found by walking owner references). */
export interface ResourceRef {
  kind: string;
  name: string;
  /** Empty for cluster-scoped kinds (Node, PersistentVolume ...). */
  namespace: string;
  /** Known when the object came from an ownerReference or an Event's involvedObject. */
  apiVersion?: string;
}

export interface NormalizedSignal {
  source: SignalSource;
  /** Alert name or event reason. */
  name: string;
  /** Raw external severity; SignalProcessing normalises it later. */
  severity: string;
  /** What the signal is about, or undefined when its labels name no Kubernetes resource. */
  target?: ResourceRef;
  /** When the condition started (alert `startsAt`, event first timestamp). */
  firingTime: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The alert/event as received, serialised once for the RR. */
  originalPayload: string;
}
