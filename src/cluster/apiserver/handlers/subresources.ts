/**
 * Subresources with their own shapes: scale (autoscaling/v1 Scale), pods/binding (what the
 * scheduler posts), pods/eviction (honours PodDisruptionBudgets), pods/log (proxied to the
 * node's kubelet, as the real server does) and namespaces/finalize.
 */
import { request as httpRequest } from 'node:http';
import { ApiError, errors } from '../errors.ts';
import type { ApiResponse } from '../../core/api-request.ts';
import { timestamp } from '../lifecycle.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchMetaForBuiltin } from '../patch/index.ts';
import { formatLabelSelector, matchesLabelSelectorObject } from '../../core/selectors.ts';
import type { KubeObject, ResourceInfo, ScaleSubresource } from '../../core/types.ts';
import { decodeBody, decodeObject, fieldManager, mediaType, type ResourceRequest } from './context.ts';
import { resourceKey, toVersion } from './convert.ts';
import { commitUpdate, deleteObject, parseDeleteOptions, type WriteDeps } from './write.ts';

function getPath(obj: any, path: string): any {
  let cur = obj;
  for (const p of path.replace(/^\./, '').split('.')) cur = cur?.[p];
  return cur;
}

function setPath(obj: any, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts[parts.length - 1]] = value;
}

function live(deps: WriteDeps, r: ResourceRequest): KubeObject {
  const obj = deps.store.get(resourceKey(r.info), r.namespace ?? '', r.name!);
  if (!obj) throw errors.notFound(r.info.resource, r.info.group, r.name!);
  return toVersion(r.info, obj);
}

function scaleOf(info: ResourceInfo, obj: KubeObject, spec: ScaleSubresource): KubeObject {
  const selector = spec.labelSelectorPath === '.status.selector' && !info.crd ? formatLabelSelector(obj.spec?.selector) : spec.labelSelectorPath ? getPath(obj, spec.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: getPath(obj, spec.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, spec.statusReplicasPath) ?? 0, ...(selector ? { selector } : {}) },
  };
}

export function handleScale(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const spec = r.info.subresources.scale!;
  const obj = live(deps, r);
  const scale = scaleOf(r.info, obj, spec);
  if (r.verb === 'get') return { status: 200, body: scale };
  let wanted: KubeObject;
  if (r.verb === 'update') {
    wanted = decodeObject(r.req, { apiVersion: 'autoscaling/v1', kind: 'Scale' });
  } else if (r.verb === 'patch') {
    const patch = decodeBody(r.req);
    const type = mediaType(r.req);
    if (type === 'application/json-patch+json') wanted = applyJsonPatch(structuredClone(scale), patch);
    else if (type === 'application/merge-patch+json') wanted = applyMergePatch(structuredClone(scale), patch);
    else if (type === 'application/strategic-merge-patch+json') wanted = applyStrategicMergePatch(structuredClone(scale), patch, patchMetaForBuiltin({ group: 'autoscaling', version: 'v1', kind: 'Scale' })!);
    else throw errors.unsupportedMediaType(type);
  } else throw errors.methodNotAllowed();
  const replicas = wanted.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', r.name!, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const rv = wanted.metadata?.resourceVersion;
  const next = structuredClone(obj);
  setPath(next, spec.specReplicasPath, replicas);
  const res = commitUpdate(deps, r, deps.store.get(resourceKey(r.info), r.namespace ?? '', r.name!)!, next, {
    manager: fieldManager(r.req),
    precondition: rv || undefined,
  });
  if ('body' in res) return { status: 200, body: scaleOf(r.info, res.body as KubeObject, spec) };
  return res;
}

function success(kind: string, name: string, code = 201): ApiResponse {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code, details: { name, kind } } };
}

/** POST pods/<name>/binding: the scheduler's decision. Rebinding a bound pod is a conflict. */
export function handleBinding(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const binding = decodeObject(r.req, { apiVersion: 'v1', kind: 'Binding' });
  const target: unknown = binding.target;
  const name: unknown = typeof target === 'object' && target !== null ? (target as { name?: unknown }).name : undefined;
  if ((target !== undefined && (typeof target !== 'object' || Array.isArray(target))) || (name !== undefined && name !== null && typeof name !== 'string')) {
    const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);
    const [field, goType, got] = typeof target !== 'object' || Array.isArray(target) ? ['target', 'v1.ObjectReference', target] : ['target.name', 'string', name];
    throw errors.badRequest(`Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal ${jsonType(got)} into Go struct field Binding.${field} of type ${goType}`);
  }
  const node = typeof name === 'string' ? name : undefined;
  if (!node) throw errors.invalid('Binding', '', r.name!, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  const old = deps.store.get('/pods', r.namespace!, r.name!);
  if (!old) throw errors.notFound('pods', '', r.name!);
  if (old.metadata.deletionTimestamp) throw errors.conflict('pods', '', r.name!, 'pod is being deleted, cannot be assigned to a host');
  if (old.spec?.nodeName) throw errors.conflict('pods', '', r.name!, `pod ${r.name} is already assigned to node "${old.spec.nodeName}"`);
  const next = structuredClone(old);
  next.spec.nodeName = node;
  const conditions = (next.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(deps.clock) });
  next.status = { ...(next.status ?? {}), conditions };
  // Binding is one of the few writes allowed to touch both spec.nodeName and status.
  const key = resourceKey(r.info);
  deps.store.update(key, next, old);
  return success('pods', r.name!);
}

/** POST pods/<name>/eviction: a delete that PodDisruptionBudgets may refuse (429). */
export function handleEviction(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  const eviction = decodeObject(r.req, { apiVersion: 'policy/v1', kind: 'Eviction' });
  const pod = deps.store.get('/pods', r.namespace!, r.name!);
  if (!pod) throw errors.notFound('pods', '', r.name!);
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp) {
    for (const pdb of deps.store.list('policy/poddisruptionbudgets', r.namespace)) {
      if (!matchesLabelSelectorObject(pdb.spec?.selector, pod.metadata.labels)) continue;
      if ((pdb.status?.disruptionsAllowed ?? 0) < 1) {
        throw new ApiError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget.`, {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently`, field: '' }],
        });
      }
    }
  }
  deleteObject(deps, { ...r, info: r.info }, pod, parseDeleteOptions(eviction.deleteOptions));
  return success('pods', r.name!);
}

/** PUT namespaces/<name>/finalize: only spec.finalizers changes (the namespace controller's last step). */
export function handleFinalize(deps: WriteDeps, r: ResourceRequest): ApiResponse {
  if (r.verb !== 'update') throw errors.methodNotAllowed();
  const body = decodeObject(r.req, { apiVersion: 'v1', kind: 'Namespace' });
  const old = deps.store.get('/namespaces', '', r.name!);
  if (!old) throw errors.notFound('namespaces', '', r.name!);
  const next = structuredClone(old);
  next.spec = { ...(next.spec ?? {}), finalizers: body.spec?.finalizers ?? [] };
  if (next.spec.finalizers.length === 0) delete next.spec.finalizers;
  return commitUpdate(deps, { ...r, subresource: undefined }, old, next, { manager: fieldManager(r.req), subresource: 'finalize' });
}

/**
 * GET pods/<name>/log: like kube-apiserver, ask the kubelet of the pod's node
 * (`status.daemonEndpoints.kubeletEndpoint.Port` at the node's InternalIP) for the logs.
 */
export async function handleLog(deps: WriteDeps, r: ResourceRequest): Promise<ApiResponse> {
  const pod = live(deps, r);
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const initContainers: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  let container = r.req.query.get('container') ?? undefined;
  if (!container) {
    if (containers.length !== 1) {
      throw errors.badRequest(`a container name must be specified for pod ${r.name}, choose one of: [${containers.join(' ')}]${initContainers.length ? ` or one of the init containers: [${initContainers.join(' ')}]` : ''}`);
    }
    container = containers[0];
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${r.name}`);
  }
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const status = statuses.find((s: any) => s.name === container);
  const previous = r.req.query.get('previous') === 'true';
  if (previous && !status?.lastState?.terminated) {
    throw errors.badRequest(`previous terminated container "${container}" in pod "${r.name}" not found`);
  }
  if (!previous && (!status || (status.state?.waiting && !status.lastState?.terminated))) {
    const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
    throw errors.badRequest(`container "${container}" in pod "${r.name}" is waiting to start: ${reason}`);
  }
  const node = pod.spec?.nodeName ? deps.store.get('/nodes', '', pod.spec.nodeName) : undefined;
  const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const address = (node?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
  if (!node || !port || !address) {
    throw errors.internal(`no kubelet endpoint known for node "${pod.spec?.nodeName ?? ''}" of pod "${r.name}"`);
  }
  const params = new URLSearchParams();
  for (const k of ['previous', 'tailLines', 'timestamps', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
    const v = r.req.query.get(k);
    if (v !== null) params.set(k, v);
  }
  const path = `/containerLogs/${encodeURIComponent(r.namespace!)}/${encodeURIComponent(r.name!)}/${encodeURIComponent(container)}?${params}`;
  const text = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host: address, port, path, method: 'GET', timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(errors.badRequest(body.trim() || `kubelet answered ${res.statusCode}`));
        else resolve(body);
      });
    });
    req.on('error', (e) => reject(errors.internal(`error dialing kubelet at ${address}:${port}: ${e.message}`)));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
  return { status: 200, contentType: 'text/plain', body: text };
}
