/**
 * A container's environment as the kubelet builds it: `envFrom` sources in order (with their
 * prefix), then `env` entries in order, each value expanded for `$(VAR)` references to what is
 * already defined (`$$` escapes). Values come from literals, the downward API (fieldRef,
 * resourceFieldRef), ConfigMaps and Secrets. A missing non-optional source is the kubelet's
 * CreateContainerConfigError, with its message.
 *
 * Not modelled: the service link variables (`<SVC>_SERVICE_HOST`...), which on this host would
 * name cluster IPs nothing routes to.
 */
import type { ClusterClient } from '../client/cluster-client.ts';
import type { KubeObject } from '../core/types.ts';
import { parseQuantity } from '../core/quantity.ts';
import { CONFIG_MAPS, SECRETS } from './volumes.ts';

export class ContainerConfigError extends Error {}

/** Upstream's expansion of `$(VAR)` in env values, command and args. */
export function expandVars(text: string, vars: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '$' || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = text.indexOf(')', i + 2);
      if (end < 0) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name)! : `$(${name})`;
      i = end;
    } else out += ch;
  }
  return out;
}

export interface PodAddresses {
  hostIP: string;
  podIP?: string;
}

/** Resolves the container's environment, reading ConfigMaps and Secrets through the API. */
export async function containerEnvironment(client: ClusterClient, pod: KubeObject, container: any, addresses: PodAddresses): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace!;
  const env = new Map<string, string>();
  const cache = new Map<string, KubeObject | undefined>();
  const source = async (kind: 'configmap' | 'secret', name: string): Promise<KubeObject | undefined> => {
    const key = `${kind}/${name}`;
    if (!cache.has(key)) cache.set(key, await client.find(kind === 'configmap' ? CONFIG_MAPS : SECRETS, ns, name));
    return cache.get(key);
  };
  const dataOf = (kind: 'configmap' | 'secret', obj: KubeObject): Record<string, string> => {
    if (kind === 'configmap') return { ...(obj.binaryData ?? {}), ...(obj.data ?? {}) };
    return Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')]));
  };

  for (const from of container.envFrom ?? []) {
    const [kind, ref] = from.configMapRef ? (['configmap', from.configMapRef] as const) : from.secretRef ? (['secret', from.secretRef] as const) : [undefined, undefined];
    if (!kind) continue;
    const obj = await source(kind, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(dataOf(kind, obj))) env.set(`${from.prefix ?? ''}${k}`, v);
  }

  for (const e of container.env ?? []) {
    if (typeof e?.name !== 'string') continue;
    if (e.valueFrom) {
      const v = await valueFrom(e.valueFrom, pod, container, addresses, source, dataOf);
      if (v !== undefined) env.set(e.name, v);
    } else env.set(e.name, expandVars(String(e.value ?? ''), env));
  }
  return env;
}

async function valueFrom(
  from: any,
  pod: KubeObject,
  container: any,
  addresses: PodAddresses,
  source: (kind: 'configmap' | 'secret', name: string) => Promise<KubeObject | undefined>,
  dataOf: (kind: 'configmap' | 'secret', obj: KubeObject) => Record<string, string>,
): Promise<string | undefined> {
  if (from.fieldRef) return fieldValue(String(from.fieldRef.fieldPath ?? ''), pod, addresses);
  if (from.resourceFieldRef) return resourceValue(from.resourceFieldRef, container);
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (!keyRef) return undefined;
  const kind = from.configMapKeyRef ? 'configmap' : 'secret';
  const obj = await source(kind, keyRef.name);
  if (!obj) {
    if (keyRef.optional) return undefined;
    throw new ContainerConfigError(`${kind} "${keyRef.name}" not found`);
  }
  const data = dataOf(kind, obj);
  if (!(keyRef.key in data)) {
    if (keyRef.optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace}/${keyRef.name}`);
  }
  return data[keyRef.key];
}

function fieldValue(path: string, pod: KubeObject, addresses: PodAddresses): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as 'labels' | 'annotations'] ?? {})[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
    case 'metadata.annotations':
      return Object.entries(pod.metadata[path === 'metadata.labels' ? 'labels' : 'annotations'] ?? {})
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .sort()
        .join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return addresses.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return addresses.podIP ?? '';
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
}

/**
 * limits/requests of the container in units of the divisor, rounded up as the kubelet does. An
 * unset value reads 0 here, where upstream falls back to the node's allocatable.
 */
function resourceValue(ref: any, container: any): string {
  const [kind, resource] = String(ref.resource ?? '').split('.');
  const raw = container.resources?.[kind === 'requests' ? 'requests' : 'limits']?.[resource] ?? (kind === 'requests' ? container.resources?.limits?.[resource] : undefined);
  if (raw === undefined) return '0';
  const value = parseQuantity(String(raw));
  const divisor = parseQuantity(String(ref.divisor ?? '1'));
  if (!value || !divisor || divisor.sign() <= 0) return '0';
  // Exact in nano-units: ceil(value / divisor).
  const q = value.nanos / divisor.nanos + (value.nanos % divisor.nanos > 0n ? 1n : 0n);
  return q.toString();
}
