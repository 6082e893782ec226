/**
 * A typed client for the kubernaut.ai kinds, on client-node's CustomObjectsApi: the generated types
 * of src/api/v1alpha1 go in and come out, so controllers never cast. Writes follow the rules every
 * controller needs: creates are idempotent for the same owner, status updates are read-modify-write
 * with the resourceVersion and retried on conflict, and every write is reported (`onWrite`) so the
 * informers can show it before the watch event arrives.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1DeleteOptions, type V1ObjectMeta } from '@kubernetes/client-node';
import {
  KUBERNAUT_API_VERSION,
  gvr,
  type AIAnalysis,
  type EffectivenessAssessment,
  type KubernautKind,
  type NotificationRequest,
  type RemediationApprovalRequest,
  type RemediationRequest,
  type RemediationWorkflow,
  type SignalProcessing,
  type WorkflowExecution,
} from '../api/v1alpha1/index.ts';
import { isConflict, isNotFound } from './api-errors.ts';
import type { Informer } from './informer.ts';
import { keyString, type ObjectKey } from './object-key.ts';
import { controllerOf } from './ownership.ts';

export interface KubernautTypes {
  RemediationRequest: RemediationRequest;
  SignalProcessing: SignalProcessing;
  AIAnalysis: AIAnalysis;
  RemediationApprovalRequest: RemediationApprovalRequest;
  WorkflowExecution: WorkflowExecution;
  EffectivenessAssessment: EffectivenessAssessment;
  NotificationRequest: NotificationRequest;
  RemediationWorkflow: RemediationWorkflow;
}

// Compile-time guard: one entry per generated kind, no more, no less.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _everyKindTyped: Exactly<keyof KubernautTypes, KubernautKind> = true;

export type KubernautObject = KubernautTypes[KubernautKind];
export type StatusOf<K extends KubernautKind> = KubernautTypes[K]['status'];

/** Called after every successful write with the object the API server answered (deleted: it is gone). */
export type WriteListener = (kind: KubernautKind, obj: KubernautObject, deleted?: boolean) => void;

export interface KubernautClientOptions {
  onWrite?: WriteListener;
  /** How many times updateStatus re-reads and re-applies after a 409 (default 10). */
  maxConflictRetries?: number;
}

/** A create found an object of that name that is not ours (another controller owner, or none). */
export class AlreadyExistsError extends Error {
  readonly code = 409;
  constructor(
    readonly kind: KubernautKind,
    readonly key: ObjectKey,
    readonly existingOwnerUid: string | undefined,
  ) {
    super(`${kind} ${keyString(key)} already exists and is controlled by ${existingOwnerUid ? `uid ${existingOwnerUid}` : 'no owner'}, not by the owner of the object being created`);
    this.name = 'AlreadyExistsError';
  }
}

export class KubernautClient {
  private readonly api: CustomObjectsApi;
  private readonly listeners: WriteListener[] = [];
  private readonly maxConflictRetries: number;

  constructor(kc: KubeConfig, opts: KubernautClientOptions = {}) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    if (opts.onWrite) this.listeners.push(opts.onWrite);
    this.maxConflictRetries = opts.maxConflictRetries ?? 10;
  }

  /** Feed every write of `kind` into `informer.reflectWrite` (for informers made after the client). */
  reflectInto<K extends KubernautKind>(kind: K, informer: Informer<KubernautTypes[K]>): void {
    this.listeners.push((k, obj, deleted) => {
      if (k === kind) informer.reflectWrite(obj as KubernautTypes[K], deleted);
    });
  }

  async get<K extends KubernautKind>(kind: K, key: ObjectKey): Promise<KubernautTypes[K] | undefined> {
    try {
      return withTypeMeta(kind, await this.api.getNamespacedCustomObject({ ...gvr(kind), namespace: key.namespace, name: key.name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every object of `kind` in `namespace` (all namespaces when omitted). */
  async list<K extends KubernautKind>(kind: K, namespace?: string, opts: { labelSelector?: string } = {}): Promise<KubernautTypes[K][]> {
    const list = namespace
      ? await this.api.listNamespacedCustomObject({ ...gvr(kind), namespace, labelSelector: opts.labelSelector })
      : await this.api.listClusterCustomObject({ ...gvr(kind), labelSelector: opts.labelSelector });
    return ((list?.items ?? []) as unknown[]).map((o) => withTypeMeta(kind, o));
  }

  /**
   * Creates `obj` (metadata.namespace required). When an object of that name exists already and has
   * the same controller owner uid as `obj`, that object is returned: a reconcile repeated after a
   * crash or a stale cache creates its child once. Otherwise AlreadyExistsError.
   */
  async create<K extends KubernautKind>(kind: K, obj: KubernautTypes[K]): Promise<KubernautTypes[K]> {
    const namespace = obj.metadata?.namespace;
    if (!namespace) throw new Error(`${kind} ${obj.metadata?.name ?? obj.metadata?.generateName ?? '?'}: metadata.namespace is required`);
    const body = { ...obj, apiVersion: KUBERNAUT_API_VERSION, kind };
    // Twice at most: the existing object may vanish between our create and our read.
    for (let attempt = 0; ; attempt++) {
      try {
        const created = withTypeMeta(kind, await this.api.createNamespacedCustomObject({ ...gvr(kind), namespace, body }));
        this.wrote(kind, created);
        return created;
      } catch (err) {
        const name = obj.metadata?.name;
        if (!isConflict(err) || !name) throw err;
        const key = { namespace, name };
        const existing = await this.get(kind, key);
        if (!existing) {
          if (attempt < 1) continue;
          throw err;
        }
        const ours = controllerOf(obj)?.uid;
        const theirs = controllerOf(existing)?.uid;
        if (ours && ours === theirs) {
          this.wrote(kind, existing);
          return existing;
        }
        throw new AlreadyExistsError(kind, key, theirs);
      }
    }
  }

  /**
   * Read-modify-write of `.status` through the status subresource, guarded by the resourceVersion
   * read. On 409 the object is read again and `mutate` called again on the fresh copy (so it must
   * compute from its argument, not from an earlier read). `mutate` may change its argument; it
   * returns the new status, or undefined when nothing needs writing (then no write, undefined).
   * A missing object is client-node's 404 ApiException. `opts.from`: a copy believed current (e.g.
   * the cache's), used instead of a read for the first attempt.
   */
  async updateStatus<K extends KubernautKind>(
    kind: K,
    key: ObjectKey,
    mutate: (current: KubernautTypes[K]) => StatusOf<K> | undefined,
    opts: { from?: KubernautTypes[K] } = {},
  ): Promise<KubernautTypes[K] | undefined> {
    for (let attempt = 0; ; attempt++) {
      // `from` (the informer's copy) saves the read on the first attempt; if it is stale, the
      // resourceVersion makes the write a 409 and the next attempt reads the object afresh.
      const current =
        attempt === 0 && opts.from?.metadata?.resourceVersion
          ? withTypeMeta(kind, opts.from)
          : withTypeMeta(kind, await this.api.getNamespacedCustomObject({ ...gvr(kind), namespace: key.namespace, name: key.name }));
      const status = mutate(structuredClone(current));
      if (status === undefined) return undefined;
      const body = { ...current, status };
      try {
        const updated = withTypeMeta(kind, await this.api.replaceNamespacedCustomObjectStatus({ ...gvr(kind), namespace: key.namespace, name: key.name, body }));
        this.wrote(kind, updated);
        return updated;
      } catch (err) {
        if (!isConflict(err) || attempt >= this.maxConflictRetries) throw err;
      }
    }
  }

  /**
   * JSON merge patch of metadata (labels, annotations, finalizers; a list replaces the whole list).
   * Include `resourceVersion` to make it conditional: a 409 then means someone wrote in between.
   */
  async patchMetadata<K extends KubernautKind>(kind: K, key: ObjectKey, metadata: Partial<V1ObjectMeta>): Promise<KubernautTypes[K]> {
    const patched = withTypeMeta(
      kind,
      await this.api.patchNamespacedCustomObject({ ...gvr(kind), namespace: key.namespace, name: key.name, body: { metadata } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
    this.wrote(kind, patched);
    return patched;
  }

  /**
   * Deletes the object; false when it was already gone (or, with `uid`, replaced by another
   * object of the same name). An object held by finalizers is reported as updated, not deleted.
   */
  async delete<K extends KubernautKind>(kind: K, key: ObjectKey, opts: { propagationPolicy?: 'Background' | 'Foreground'; uid?: string } = {}): Promise<boolean> {
    const body: V1DeleteOptions = { ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}), ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}) };
    let answer: unknown;
    try {
      answer = await this.api.deleteNamespacedCustomObject({ ...gvr(kind), namespace: key.namespace, name: key.name, body });
    } catch (err) {
      // 409 here is a failed uid precondition: the object we meant no longer exists.
      if (isNotFound(err) || (opts.uid && isConflict(err))) return false;
      throw err;
    }
    const obj = answer as KubernautObject | undefined;
    if (obj?.kind === kind && obj.metadata?.deletionTimestamp && (obj.metadata.finalizers?.length ?? 0) > 0) {
      this.wrote(kind, withTypeMeta(kind, obj));
    } else {
      const gone = { apiVersion: KUBERNAUT_API_VERSION, kind, metadata: { name: key.name, namespace: key.namespace, uid: obj?.kind === kind ? obj.metadata?.uid : opts.uid, resourceVersion: obj?.kind === kind ? obj.metadata?.resourceVersion : undefined } };
      this.wrote(kind, gone as unknown as KubernautObject, true);
    }
    return true;
  }

  private wrote(kind: KubernautKind, obj: KubernautObject, deleted?: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(kind, obj, deleted);
      } catch {
        // A cache that cannot take the write only loses the head start; the watch will bring it.
      }
    }
  }
}

/** The API server omits apiVersion/kind on list items of some servers; owner references need them. */
function withTypeMeta<K extends KubernautKind>(kind: K, obj: unknown): KubernautTypes[K] {
  const o = obj as KubernautTypes[K];
  if (o && (!o.apiVersion || !o.kind)) return { ...o, apiVersion: KUBERNAUT_API_VERSION, kind } as KubernautTypes[K];
  return o;
}
