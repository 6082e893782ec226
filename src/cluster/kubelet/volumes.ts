/**
 * The kubelet volume manager's admission of a pod's volumes, reduced to what the simulation
 * needs: every claim must exist, be bound and not be terminating, its PV must exist, and
 * configMap/secret sources must exist unless optional. The answer is the FailedMount event
 * messages upstream would record (none: everything can be mounted).
 *
 * Why a terminating PVC blocks the mount (the crux of the reference StatefulSet fault): the
 * kubelet's desired-state populator refuses a claim that carries a deletionTimestamp ("PVC is
 * being deleted") so a claim on its way out never gets a new user, while pvc-protection keeps
 * the claim alive as long as a *scheduled* pod references it. A replacement pod bound to a node
 * while its claim is being deleted therefore waits in ContainerCreating until that pod goes away.
 * The check applies only before mounting: once a pod's volumes are mounted they stay mounted for
 * the pod's lifetime, so deleting the claim under a running pod changes nothing for that pod.
 */
import type { KubeObject } from '../core/types.ts';
import type { ClusterClient, Gvr } from '../client/cluster-client.ts';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES } from '../client/resources.ts';

export const CONFIG_MAPS: Gvr = { group: '', version: 'v1', resource: 'configmaps' };
export const SECRETS: Gvr = { group: '', version: 'v1', resource: 'secrets' };

/** Why a claim cannot be used yet, in the words of the kubelet, or undefined when it can. */
async function claimProblem(client: ClusterClient, namespace: string, claimName: string): Promise<string | undefined> {
  const pvc = await client.find(PERSISTENT_VOLUME_CLAIMS, namespace, claimName);
  const prefix = `error processing PVC ${namespace}/${claimName}`;
  if (!pvc) return `${prefix}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`;
  if (pvc.metadata.deletionTimestamp) return `${prefix}: PVC is being deleted`;
  const pvName: string | undefined = pvc.spec?.volumeName;
  if (!pvName || pvc.status?.phase !== 'Bound') return `${prefix}: PVC is not bound`;
  const pv = await client.find(PERSISTENT_VOLUMES, undefined, pvName);
  if (!pv) return `${prefix}: failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`;
  return undefined;
}

/** `configmap "x" not found` for a required configMap/secret source that does not exist. */
async function sourceProblem(client: ClusterClient, namespace: string, source: { configMap?: any; secret?: any }): Promise<string | undefined> {
  if (source.configMap && !source.configMap.optional) {
    const name = source.configMap.name;
    if (!(await client.find(CONFIG_MAPS, namespace, name))) return `configmap "${name}" not found`;
  }
  if (source.secret && !source.secret.optional) {
    const name = source.secret.secretName ?? source.secret.name;
    if (!(await client.find(SECRETS, namespace, name))) return `secret "${name}" not found`;
  }
  return undefined;
}

/** The FailedMount messages for the pod's volumes; empty when all of them can be mounted. */
export async function volumeProblems(client: ClusterClient, pod: KubeObject): Promise<string[]> {
  const ns = pod.metadata.namespace!;
  const claimErrors: Array<{ volume: string; error: string }> = [];
  const messages: string[] = [];
  for (const vol of pod.spec?.volumes ?? []) {
    const claimName = vol.persistentVolumeClaim?.claimName ?? (vol.ephemeral ? `${pod.metadata.name}-${vol.name}` : undefined);
    if (claimName) {
      const problem = await claimProblem(client, ns, claimName);
      if (problem) claimErrors.push({ volume: vol.name, error: problem });
      continue;
    }
    let problem: string | undefined;
    if (vol.configMap || vol.secret) problem = await sourceProblem(client, ns, vol);
    else if (vol.projected && !(vol.projected.sources ?? []).some((s: any) => s.serviceAccountToken)) {
      // The service-account (kube-api-access) volume is always mountable here: the simulated
      // cluster may not publish kube-root-ca.crt, and a real one always does.
      for (const s of vol.projected.sources ?? []) {
        problem = await sourceProblem(client, ns, s);
        if (problem) break;
      }
    }
    if (problem) messages.push(`MountVolume.SetUp failed for volume "${vol.name}" : ${problem}`);
  }
  if (claimErrors.length) {
    const names = `[${claimErrors.map((c) => c.volume).sort().join(' ')}]`;
    messages.unshift(`Unable to attach or mount volumes: unmounted volumes=${names}, unattached volumes=[], failed to process volumes=${names}: ${claimErrors.map((c) => c.error).join(', ')}`);
  }
  return messages;
}
