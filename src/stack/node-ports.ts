/**
 * The NodePorts of Kubernaut's in-cluster Services: one table for the deploy/ manifests and for
 * `kubernaut up --config <kind-config.yaml>`. On a kind cluster an `extraPortMappings` entry
 * publishes a node port on the host (containerPort = the NodePort below, hostPort = where the
 * laptop reaches it); the embedded stack reads the same mapping to decide where the component
 * listens, so a kind config written for a real cluster gives the same URLs on the embedded one.
 */

export const NODE_PORTS = {
  /** The Gateway's signal intake (Alertmanager webhooks). */
  gateway: 30080,
  /** DataStorage's REST API. Reserved for later: no deploy/ Service publishes it yet, and `up --config` does not map it. */
  dataStorage: 30081,
  /** The alerts page and Prometheus HTTP API (`/alerts`, `/api/v1`) of the alerting component. */
  prometheus: 30190,
  /** The console (web page of remediations and approvals). */
  console: 30300,
} as const;

export type NodePortComponent = keyof typeof NODE_PORTS;

/** The components `kubernaut up --config` can place on a kind hostPort today. */
export const MAPPABLE_NODE_PORTS: readonly NodePortComponent[] = ['gateway', 'prometheus', 'console'];

/** The component whose NodePort this is, if any. */
export function componentOfNodePort(port: number): NodePortComponent | undefined {
  return (Object.keys(NODE_PORTS) as NodePortComponent[]).find((c) => NODE_PORTS[c] === port);
}
