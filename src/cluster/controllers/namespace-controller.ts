/**
 * The namespace controller: gives every namespace its `default` ServiceAccount, and empties a
 * namespace being deleted (every namespaced resource, honouring the objects' own finalizers)
 * before removing the `kubernetes` finalizer so the API server can let the namespace go.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import { Informer } from '../client/informer.ts';
import { discoverResources } from './discovery-client.ts';
import { WorkQueue } from '../client/workqueue.ts';

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };
const SERVICE_ACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts' };

export class NamespaceController {
  private informer: Informer;
  private queue: WorkQueue;

  constructor(
    private readonly client: ClusterClient,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.informer = new Informer(client, NAMESPACES, clock);
    this.queue = new WorkQueue(clock, (name) => this.reconcile(name), log, { baseDelayMs: 200, maxDelayMs: 5000 });
    this.informer.on((type, ns) => {
      if (type !== 'DELETED') this.queue.add(ns.metadata.name!);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  stop(): void {
    this.informer.stop();
    this.queue.stop();
  }

  private async reconcile(name: string): Promise<void> {
    const ns = this.informer.get(undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      await this.ensureDefaultServiceAccount(name);
      return;
    }
    if (!(ns.spec?.finalizers ?? []).includes('kubernetes')) return;
    const remaining = await this.deleteContent(name);
    if (remaining > 0) {
      // Objects with finalizers are still going away; look again shortly.
      this.queue.addAfter(name, 500);
      return;
    }
    const fresh = await this.client.find(NAMESPACES, undefined, name);
    if (!fresh) return;
    fresh.spec = { ...(fresh.spec ?? {}), finalizers: (fresh.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes') };
    await this.client.update(NAMESPACES, fresh, 'finalize');
    this.log.info({ namespace: name }, 'namespace emptied and finalized');
  }

  private async ensureDefaultServiceAccount(namespace: string): Promise<void> {
    if (await this.client.find(SERVICE_ACCOUNTS, namespace, 'default')) return;
    try {
      await this.client.create(SERVICE_ACCOUNTS, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
    } catch (e) {
      // Already created, or the namespace started terminating meanwhile: nothing to do.
      if (!(e instanceof ClientError) || (e.code !== 409 && e.code !== 403 && e.code !== 404)) throw e;
    }
  }

  /** Deletes everything in the namespace; returns how many objects still exist. */
  private async deleteContent(namespace: string): Promise<number> {
    let remaining = 0;
    for (const r of await discoverResources(this.client)) {
      if (!r.namespaced || !r.verbs.includes('list')) continue;
      // events.k8s.io events are another view of core events in a real cluster; delete both.
      const { items } = await this.client.list(r, namespace);
      if (items.length === 0) continue;
      for (const item of items) {
        if (item.metadata.deletionTimestamp) continue;
        try {
          await this.client.delete(r, namespace, item.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof ClientError) || e.code !== 404) throw e;
        }
      }
      remaining += (await this.client.list(r, namespace)).items.length;
    }
    return remaining;
  }
}
