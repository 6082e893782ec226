/** Checks the catalog scenarios share beyond their healed state: what a workload and its pods look like now. */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Check } from '../scenario.ts';

export async function deploymentOf(kc: KubeConfig, namespace: string, name: string): Promise<any> {
  return kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
}

export async function podsOf(kc: KubeConfig, namespace: string, selector: string): Promise<any[]> {
  return (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: selector })).items.filter((p: any) => !p.metadata?.deletionTimestamp);
}

/** Every replica runs the current template: nothing old or broken is left over. */
export async function rolloutComplete(kc: KubeConfig, namespace: string, name: string): Promise<Check> {
  const d = await deploymentOf(kc, namespace, name);
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  const ok = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s.updatedReplicas === want && s.readyReplicas === want && (s.replicas ?? 0) === want && !s.unavailableReplicas;
  return { name: `Deployment ${name}: rollout complete, ${want} of ${want} replicas updated and ready`, ok, detail: ok ? undefined : JSON.stringify({ replicas: s.replicas, updated: s.updatedReplicas, ready: s.readyReplicas, unavailable: s.unavailableReplicas }) };
}

/** No pod of the workload waits for a failure reason (crash loop, image pull). */
export async function noPodWaiting(kc: KubeConfig, namespace: string, selector: string, reasons: string[]): Promise<Check> {
  const stuck = (await podsOf(kc, namespace, selector)).flatMap((p) =>
    (p.status?.containerStatuses ?? []).filter((c: any) => reasons.includes(c.state?.waiting?.reason)).map((c: any) => `${p.metadata.name}: ${c.state.waiting.reason}`));
  return { name: `no pod of ${selector} in ${reasons.join('/')}`, ok: stuck.length === 0, detail: stuck.join(', ') || undefined };
}

/** The container image every replica of the Deployment's template runs. */
export async function templateImage(kc: KubeConfig, namespace: string, name: string, container: string): Promise<string | undefined> {
  const d = await deploymentOf(kc, namespace, name);
  return d.spec?.template?.spec?.containers?.find((c: any) => c.name === container)?.image;
}
