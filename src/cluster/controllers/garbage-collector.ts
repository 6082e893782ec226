/**
 * The garbage collector: deletes objects whose owners are all gone (background cascading),
 * deletes the dependents of an owner deleted in the foreground before letting it go
 * (`foregroundDeletion` finalizer), and strips owner references for orphaning deletes
 * (`orphan` finalizer). It watches every listable resource, CRDs included, as the
 * kube-controller-manager's garbage collector does.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { KubeObject, OwnerReference } from '../core/types.ts';
import { ClientError, type ClusterClient, type Gvr } from '../client/cluster-client.ts';
import { Informer } from '../client/informer.ts';
import { discoverResources, type DiscoveredResource } from './discovery-client.ts';
import { WorkQueue } from '../client/workqueue.ts';

interface Node {
  gvr: Gvr;
  obj: KubeObject;
}

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' };

export class GarbageCollector {
  private informers = new Map<string, Informer>();
  /** uid -> the object, for every object of every watched resource. */
  private byUid = new Map<string, Node>();
  /** owner uid -> uids of its dependents. */
  private dependents = new Map<string, Set<string>>();
  /** apiVersion/kind -> resource, to look owners up by reference. */
  private kinds = new Map<string, DiscoveredResource>();
  private queue: WorkQueue;
  private stopped = false;

  constructor(
    private readonly client: ClusterClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new WorkQueue(clock, (key) => this.process(key), log, { baseDelayMs: 100, maxDelayMs: 10_000 });
  }

  async start(): Promise<void> {
    await this.syncInformers();
    // New CRDs bring new kinds whose objects can own or be owned.
    const crds = new Informer(this.client, CRDS, this.clock).on(() => void this.syncInformers().catch((e) => this.log.warn({ err: e.message }, 'gc resync failed')));
    this.informers.set('crd-watch', crds);
    await crds.start();
  }

  stop(): void {
    this.stopped = true;
    for (const i of this.informers.values()) i.stop();
    this.queue.stop();
  }

  private async syncInformers(): Promise<void> {
    if (this.stopped) return;
    const resources = await discoverResources(this.client);
    for (const r of resources) {
      const groupVersion = r.group ? `${r.group}/${r.version}` : r.version;
      this.kinds.set(`${groupVersion}/${r.kind}`, r);
      const key = `${r.group}/${r.resource}`;
      if (this.informers.has(key) || !r.verbs.includes('watch') || !r.verbs.includes('delete')) continue;
      // Events are never owners nor owned in practice; watching them would only cost.
      if (r.resource === 'events') continue;
      const informer = new Informer(this.client, r, this.clock).on((type, obj, old) => this.observe(r, type, obj, old));
      this.informers.set(key, informer);
      await informer.start();
    }
  }

  private observe(gvr: Gvr, type: string, obj: KubeObject, old?: KubeObject): void {
    const uid = obj.metadata.uid!;
    for (const ref of old?.metadata.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(old!.metadata.uid!);
    if (type === 'DELETED') {
      this.byUid.delete(uid);
      // Its dependents may now be orphans.
      for (const dep of this.dependents.get(uid) ?? []) this.queue.add(`check:${dep}`);
      return;
    }
    this.byUid.set(uid, { gvr, obj });
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
    }
    if ((obj.metadata.ownerReferences ?? []).length > 0) this.queue.add(`check:${uid}`);
    const fins = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && (fins.includes('foregroundDeletion') || fins.includes('orphan'))) this.queue.add(`owner:${uid}`);
    // A dependent that went away may unblock an owner waiting in the foreground.
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (obj.metadata.deletionTimestamp) this.queue.add(`owner:${ref.uid}`);
    }
  }

  private async process(key: string): Promise<void> {
    const [what, uid] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (what === 'check') await this.checkDependent(uid);
    else await this.processOwner(uid);
  }

  /** Is the referenced owner really there? Checks the cache, then the API (uid must match). */
  private async ownerState(ref: OwnerReference, namespace: string | undefined): Promise<'present' | 'absent' | 'deleting-foreground'> {
    let owner = this.byUid.get(ref.uid)?.obj;
    if (!owner) {
      const r = this.kinds.get(`${ref.apiVersion}/${ref.kind}`);
      if (!r) return 'present'; // unknown kind: never collect on a guess
      const found = await this.client.find(r, r.namespaced ? namespace : undefined, ref.name);
      if (!found || found.metadata.uid !== ref.uid) return 'absent';
      owner = found;
    }
    if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes('foregroundDeletion')) return 'deleting-foreground';
    return 'present';
  }

  private async checkDependent(uid: string): Promise<void> {
    const node = this.byUid.get(uid);
    if (!node || node.obj.metadata.deletionTimestamp) return;
    const refs = node.obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(r, node.obj.metadata.namespace)));
    const absent = refs.filter((_, i) => states[i] === 'absent');
    const foreground = states.some((s) => s === 'deleting-foreground');
    const present = states.some((s) => s === 'present');
    if (present) {
      if (absent.length > 0) {
        const keep = refs.filter((_, i) => states[i] !== 'absent');
        await this.patchOwnerRefs(node, keep);
      }
      return;
    }
    if (absent.length === refs.length || foreground) {
      // Dependents of a foreground deletion go in the foreground too, so chains block in order.
      const policy = foreground ? 'Foreground' : 'Background';
      this.log.debug({ kind: node.obj.kind, name: node.obj.metadata.name, policy }, 'collecting dependent');
      await this.deleteIgnoringMissing(node, { propagationPolicy: policy, preconditions: { uid } });
    }
  }

  private async processOwner(uid: string): Promise<void> {
    const node = this.byUid.get(uid);
    if (!node || !node.obj.metadata.deletionTimestamp) return;
    const fins = node.obj.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid) ?? [])].map((d) => this.byUid.get(d)).filter((d): d is Node => d !== undefined);
    if (fins.includes('orphan')) {
      for (const d of deps) {
        await this.patchOwnerRefs(d, (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid));
      }
      await this.removeFinalizer(node, 'orphan');
      return;
    }
    if (fins.includes('foregroundDeletion')) {
      for (const d of deps) {
        if (!d.obj.metadata.deletionTimestamp) await this.checkDependent(d.obj.metadata.uid!);
      }
      const blocking = deps.filter((d) => (d.obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion));
      if (blocking.length === 0) await this.removeFinalizer(node, 'foregroundDeletion');
    }
  }

  private async patchOwnerRefs(node: Node, refs: OwnerReference[]): Promise<void> {
    try {
      await this.client.patch(node.gvr, node.obj.metadata.namespace, node.obj.metadata.name!, {
        metadata: { ownerReferences: refs.length > 0 ? refs : null },
      });
    } catch (e) {
      if (!(e instanceof ClientError) || e.code !== 404) throw e;
    }
  }

  private async removeFinalizer(node: Node, finalizer: string): Promise<void> {
    const fresh = await this.client.find(node.gvr, node.obj.metadata.namespace, node.obj.metadata.name!);
    if (!fresh || fresh.metadata.uid !== node.obj.metadata.uid) return;
    const fins = (fresh.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.client.patch(node.gvr, fresh.metadata.namespace, fresh.metadata.name!, {
      metadata: { finalizers: fins.length > 0 ? fins : null, resourceVersion: fresh.metadata.resourceVersion },
    });
  }

  private async deleteIgnoringMissing(node: Node, options: Record<string, unknown>): Promise<void> {
    try {
      await this.client.delete(node.gvr, node.obj.metadata.namespace, node.obj.metadata.name!, options);
    } catch (e) {
      if (!(e instanceof ClientError) || (e.code !== 404 && e.code !== 409)) throw e;
    }
  }
}
