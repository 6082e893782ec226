/**
 * The embedded Kubernetes API server: routes every request (from the HTTP adapter or an
 * in-process client) through authentication, authorization, discovery/OpenAPI or the
 * resource handlers, and keeps the CRD-served kinds in the registry in step with storage.
 */
import { componentLogger, type Logger } from '../../platform/log.ts';
import type { Clock } from '../../platform/clock.ts';
import { allowAll, Authenticator, LOOPBACK_USER, RbacAuthorizer, type Authorizer } from './auth.ts';
import { aggregatedContentType, Discovery, wantsAggregated } from './discovery.ts';
import { ApiError, errors } from './errors.ts';
import { parseResourcePath, type ResourceRequest } from './handlers/context.ts';
import { resourceKey } from './handlers/convert.ts';
import { handleGet, handleList, handleWatch } from './handlers/read.ts';
import { handleReview } from './handlers/reviews.ts';
import { handleBinding, handleEviction, handleFinalize, handleLog, handleScale } from './handlers/subresources.ts';
import { handleTokenRequest } from './handlers/token-request.ts';
import { TokenSigner } from './serviceaccount/token-signer.ts';
import { ServiceAccountTokens } from './serviceaccount/tokens.ts';
import { commitUpdate, deleteObject, handleCreate, handleDelete, handleDeleteCollection, handlePatch, handleUpdate, type WriteDeps } from './handlers/write.ts';
import type { ApiRequest, ApiResponse } from '../core/api-request.ts';
import { ClusterIpAllocator, CRD_CLEANUP_FINALIZER } from './kind-rules.ts';
import { isVirtualResource } from './builtin-resources.ts';
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, OpenApiPublisher } from './openapi/index.ts';
import { ResourceRegistry } from './registry.ts';
import { ObjectStore } from './storage/object-store.ts';
import { FilePersistence } from './storage/persistence.ts';
import type { KubeObject } from '../core/types.ts';

/** The 403 an authorizer's denial becomes, worded as kube-apiserver's `forbiddenMessage`. */
function forbiddenError(username: string, r: ResourceRequest | undefined, req: ApiRequest): ApiError {
  if (!r) return errors.forbidden(`forbidden: User "${username}" cannot ${req.method.toLowerCase()} path "${req.path}"`);
  const resource = r.subresource ? `${r.info.resource}/${r.subresource}` : r.info.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  const why = `User "${username}" cannot ${r.verb} resource "${resource}" in API group "${r.info.group}" ${scope}`;
  const qualified = r.info.group ? `${r.info.resource}.${r.info.group}` : r.info.resource;
  const subject = r.name ? `${qualified} "${r.name}"` : qualified;
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, { name: r.name, group: r.info.group || undefined, kind: r.info.resource });
}

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubernaut' };

export interface ApiServerOptions {
  clock: Clock;
  /** Directory for durable state; omit (or ephemeral) to keep everything in memory. */
  stateDir?: string;
  /** Size quota of the stored objects in bytes, like etcd's --quota-backend-bytes (default 2 GiB). */
  storageQuotaBytes?: number;
  watchCacheSize?: number;
  /** kube-apiserver --token-auth-file format. */
  tokenFile?: string;
  /** Reject requests without a valid bearer token (otherwise they are system:anonymous). */
  requireAuth?: boolean;
  /** Evaluate RBAC objects instead of allowing everything. */
  rbac?: boolean;
  /** Where the ServiceAccount token signing key is kept (`sa.key`); omit to keep it in memory. */
  serviceAccountKeyDir?: string;
  logger?: Logger;
}

const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

export class ApiServer {
  readonly registry = new ResourceRegistry();
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly openapi: OpenApiPublisher;
  private readonly discovery: Discovery;
  private readonly authn: Authenticator;
  private readonly serviceAccountTokens: ServiceAccountTokens;
  private readonly authz: Authorizer;
  private readonly log: Logger;
  private readonly ipAllocator = new ClusterIpAllocator();
  private crdCleanupTimer: { cancel(): void } | undefined;
  /** Address clients reach the server at (for discovery's serverAddressByClientCIDRs). */
  publicAddress = '127.0.0.1:6443';

  constructor(opts: ApiServerOptions) {
    this.clock = opts.clock;
    this.log = opts.logger ?? componentLogger('apiserver');
    this.store = new ObjectStore({
      watchCacheSize: opts.watchCacheSize,
      persistence: opts.stateDir ? new FilePersistence(opts.stateDir, { quotaBytes: opts.storageQuotaBytes }) : undefined,
    });
    this.serviceAccountTokens = new ServiceAccountTokens(new TokenSigner(opts.serviceAccountKeyDir), this.store, this.clock);
    this.authn = Authenticator.fromFile(opts.tokenFile, Boolean(opts.requireAuth), this.serviceAccountTokens);
    this.authz = opts.rbac ? new RbacAuthorizer(this.store) : allowAll;
    this.discovery = new Discovery(this.registry, () => this.publicAddress);
    this.openapi = new OpenApiPublisher(() => this.registry.all());
    this.registry.onChange(() => this.openapi.invalidate());
    for (const crd of this.store.list(CRD_KEY)) this.registry.setCustomResourceDefinition(crd);
    this.store.subscribe(CRD_KEY, (c) => {
      if (c.type === 'DELETED') this.registry.removeCustomResourceDefinition(c.object.metadata.name!);
      else this.registry.setCustomResourceDefinition(c.object);
      if (c.type !== 'DELETED' && c.object.metadata.deletionTimestamp) this.scheduleCrdCleanup();
    });
    this.bootstrap();
    if (this.store.list(CRD_KEY).some((c) => c.metadata.deletionTimestamp)) this.scheduleCrdCleanup();
  }

  private get writeDeps(): WriteDeps {
    return {
      store: this.store,
      registry: this.registry,
      clock: this.clock,
      allocateClusterIp: () => {
        const used = new Set(this.store.list('/services').map((s) => s.spec?.clusterIP).filter(Boolean));
        return this.ipAllocator.allocate(used);
      },
    };
  }

  /** The namespaces and the `kubernetes` Service every cluster starts with. */
  private bootstrap(): void {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      if (!this.store.get('/namespaces', '', ns)) this.internalCreate('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    if (!this.store.get('/services', 'default', 'kubernetes')) {
      this.internalCreate('/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], type: 'ClusterIP' },
      });
    }
    this.bootstrapRbac();
  }

  /**
   * The default RBAC policy every cluster bootstraps: cluster-admin for system:masters, and
   * what any authenticated user may do (discovery, health, asking what it may do itself).
   */
  private bootstrapRbac(): void {
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const labels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
    const roles: Array<[string, object[]]> = [
      ['cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]],
      ['system:basic-user', [
        { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
        { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
      ]],
      ['system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]],
      ['system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]],
    ];
    const bindings: Array<[string, string, string[]]> = [
      ['cluster-admin', 'cluster-admin', ['system:masters']],
      ['system:basic-user', 'system:basic-user', ['system:authenticated']],
      ['system:discovery', 'system:discovery', ['system:authenticated']],
      ['system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']],
    ];
    for (const [name, rules] of roles) {
      if (!this.store.get('rbac.authorization.k8s.io/clusterroles', '', name)) {
        this.internalCreate(`${rbac}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules });
      }
    }
    for (const [name, role, groups] of bindings) {
      if (!this.store.get('rbac.authorization.k8s.io/clusterrolebindings', '', name)) {
        this.internalCreate(`${rbac}/clusterrolebindings`, {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name, labels },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
          subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
        });
      }
    }
  }

  private internalCreate(path: string, obj: KubeObject): void {
    const res = this.handleSync({ method: 'POST', path, query: new URLSearchParams(), headers: { 'content-type': 'application/json', 'user-agent': 'kube-apiserver' }, body: Buffer.from(JSON.stringify(obj)), user: LOOPBACK_USER });
    if (res.status >= 300) throw new Error(`bootstrap create ${path} failed: ${JSON.stringify('body' in res ? res.body : res.status)}`);
  }

  /** Handles a request; never throws (errors become Status responses). */
  async handle(req: ApiRequest): Promise<ApiResponse> {
    try {
      const r = this.route(req);
      if (r === undefined) return this.handleNonResource(req);
      if (r.subresource === 'log') return await handleLog(this.writeDeps, r);
      return this.dispatch(r);
    } catch (e) {
      return this.errorResponse(e, req);
    }
  }

  /** Synchronous variant for internal callers (every handler but pod logs is synchronous). */
  handleSync(req: ApiRequest): ApiResponse {
    try {
      const r = this.route(req);
      if (r === undefined) return this.handleNonResource(req);
      return this.dispatch(r);
    } catch (e) {
      return this.errorResponse(e, req);
    }
  }

  private errorResponse(e: unknown, req: ApiRequest): ApiResponse {
    if (e instanceof ApiError) return { status: e.code, body: e.toStatus() };
    this.log.error({ err: e, method: req.method, path: req.path }, 'internal error');
    const err = errors.internal((e as Error)?.message ?? String(e));
    return { status: err.code, body: err.toStatus() };
  }

  private route(req: ApiRequest): ResourceRequest | undefined {
    const user = this.authn.authenticate(req);
    const r = parseResourcePath(req, this.registry, user);
    const decision = r
      ? this.authz.authorize({ user, verb: r.verb, apiGroup: r.info.group, resource: r.info.resource, subresource: r.subresource, namespace: r.namespace, name: r.name })
      : this.authz.authorize({ user, verb: req.method.toLowerCase(), path: req.path });
    if (!decision.allowed) throw forbiddenError(user.username, r, req);
    return r;
  }

  private dispatch(r: ResourceRequest): ApiResponse {
    const deps = this.writeDeps;
    const readDeps = { store: this.store, clock: this.clock };
    if (isVirtualResource(r.info)) return handleReview(r, this.authn, this.authz);
    switch (r.subresource) {
      case 'scale':
        return handleScale(deps, r);
      case 'binding':
        return handleBinding(deps, r);
      case 'eviction':
        return handleEviction(deps, r);
      case 'finalize':
        return handleFinalize(deps, r);
      case 'token':
        return handleTokenRequest({ store: this.store, clock: this.clock, tokens: this.serviceAccountTokens }, r);
      case 'status':
        if (r.verb === 'get') return handleGet(readDeps, r);
        if (r.verb === 'update') return handleUpdate(deps, r);
        if (r.verb === 'patch') return handlePatch(deps, r);
        throw errors.methodNotAllowed();
    }
    switch (r.verb) {
      case 'get':
        return handleGet(readDeps, r);
      case 'list':
        return handleList(readDeps, r);
      case 'watch':
        return handleWatch(readDeps, r);
      case 'create':
        return handleCreate(deps, r);
      case 'update':
        return handleUpdate(deps, r);
      case 'patch':
        return handlePatch(deps, r);
      case 'delete':
        return handleDelete(deps, r);
      case 'deletecollection':
        return handleDeleteCollection(deps, r);
    }
  }

  private handleNonResource(req: ApiRequest): ApiResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    const segs = req.path.split('/').filter(Boolean);
    const p = '/' + segs.join('/');
    const aggregated = wantsAggregated(req.headers.accept);
    switch (p) {
      case '/version':
        return {
          status: 200,
          body: { ...KUBERNETES_VERSION, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` },
        };
      case '/healthz':
      case '/livez':
      case '/readyz':
        return { status: 200, contentType: 'text/plain', body: 'ok' };
      case '/api':
        if (aggregated) {
          const { body, etag } = this.discovery.aggregated(true, aggregated);
          return { status: 200, contentType: aggregatedContentType(aggregated), headers: { etag }, body };
        }
        return { status: 200, body: this.discovery.coreVersions() };
      case '/apis':
        if (aggregated) {
          const { body, etag } = this.discovery.aggregated(false, aggregated);
          return { status: 200, contentType: aggregatedContentType(aggregated), headers: { etag }, body };
        }
        return { status: 200, body: this.discovery.groupList() };
      case '/openapi/v2':
        // kubectl validates `kind: List` files client-side against the protobuf v2 document.
        if ((req.headers.accept ?? '').includes('protobuf')) {
          return { status: 200, contentType: OPENAPI_V2_PROTOBUF_CONTENT_TYPE, body: this.openapi.v2Protobuf() };
        }
        return { status: 200, body: this.openapi.v2() };
      case '/openapi/v3':
        return { status: 200, body: this.openapi.v3Index() };
      case '/':
        return { status: 200, body: { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] } };
    }
    if (segs[0] === 'openapi' && segs[1] === 'v3') {
      const doc = this.openapi.v3GroupVersion(segs.slice(2).join('/'));
      if (doc) return { status: 200, headers: { etag: `"${doc.hash}"` }, body: doc.json, contentType: 'application/json' };
    }
    if (segs[0] === 'api' && segs.length === 2) {
      const list = this.discovery.resourceList('', segs[1]);
      if (list) return { status: 200, body: list };
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = this.discovery.apiGroup(segs[1]);
      if (g) return { status: 200, body: g };
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const list = this.discovery.resourceList(segs[1], segs[2]);
      if (list) return { status: 200, body: list };
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  /**
   * The apiextensions finalizer: a deleted CRD first loses all its instances (each deleted
   * normally, so their own finalizers are honoured), then its finalizer, then itself.
   */
  private scheduleCrdCleanup(): void {
    if (this.crdCleanupTimer) return;
    this.crdCleanupTimer = this.clock.setTimeout(() => {
      this.crdCleanupTimer = undefined;
      if (this.cleanupDeletedCrds()) this.scheduleCrdCleanup();
    }, 200);
  }

  /** One cleanup pass; returns true while some CRD still waits for its instances to go. */
  private cleanupDeletedCrds(): boolean {
    let pending = false;
    for (const crd of this.store.list(CRD_KEY)) {
      if (!crd.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) continue;
      const infos = this.registry.all().filter((i) => i.crd?.name === crd.metadata.name);
      const info = infos.find((i) => i.version === i.storageVersion) ?? infos[0];
      const instances = info ? this.store.list(resourceKey(info)) : [];
      const fake = (name: string, namespace?: string): ResourceRequest => ({
        req: { method: 'DELETE', path: '', query: new URLSearchParams(), headers: {}, user: LOOPBACK_USER },
        info: info!,
        verb: 'delete',
        namespace,
        name,
        user: LOOPBACK_USER,
      });
      for (const obj of instances) {
        if (!obj.metadata.deletionTimestamp) deleteObject(this.writeDeps, fake(obj.metadata.name!, obj.metadata.namespace), obj, {});
      }
      if (info && this.store.list(resourceKey(info)).length > 0) {
        pending = true;
        continue;
      }
      const crdInfo = this.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
      const next = structuredClone(crd);
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f: string) => f !== CRD_CLEANUP_FINALIZER);
      commitUpdate(this.writeDeps, { ...fake(crd.metadata.name!), info: crdInfo }, crd, next, { manager: 'kube-apiserver' });
    }
    return pending;
  }

  close(): void {
    this.crdCleanupTimer?.cancel();
    this.store.close();
  }
}
