/** The resources the embedded control plane reads and writes, by group/version/resource. */
import type { Gvr } from './cluster-client.ts';

const core = (resource: string): Gvr => ({ group: '', version: 'v1', resource });
const apps = (resource: string): Gvr => ({ group: 'apps', version: 'v1', resource });

export const PODS = core('pods');
export const NODES = core('nodes');
export const NAMESPACES = core('namespaces');
export const EVENTS = core('events');
export const SERVICES = core('services');
export const PERSISTENT_VOLUMES = core('persistentvolumes');
export const PERSISTENT_VOLUME_CLAIMS = core('persistentvolumeclaims');
export const STATEFUL_SETS = apps('statefulsets');
export const DEPLOYMENTS = apps('deployments');
export const REPLICA_SETS = apps('replicasets');
export const DAEMON_SETS = apps('daemonsets');
export const CONTROLLER_REVISIONS = apps('controllerrevisions');
export const JOBS: Gvr = { group: 'batch', version: 'v1', resource: 'jobs' };
export const STORAGE_CLASSES: Gvr = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' };
export const LEASES: Gvr = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
export const HORIZONTAL_POD_AUTOSCALERS: Gvr = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };
export const POD_DISRUPTION_BUDGETS: Gvr = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };
