/**
 * A client-node KubeConfig whose API calls reuse keep-alive connections. client-node 1.x builds a
 * fresh http(s).Agent for every request, so each call opens (and for HTTPS, handshakes) a new
 * connection: under load that costs more than the request itself. The agent options depend only
 * on the cluster and the client credentials, so one agent per distinct set is shared.
 *
 * Every API call (not a watch: client-node's Watch does not come through here) also gets a time
 * limit, as client-node sets none: a request lost in a half-open connection would otherwise hold
 * its caller forever, e.g. a controller's worker and with it every later reconcile of that key.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

export class PooledKubeConfig extends KubeConfig {
  private readonly agents = new Map<string, HttpAgent>();

  /** Real milliseconds one API call may take, answer included (a caller's own signal wins). */
  requestTimeoutMs = 60_000;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (!context.getSignal()) context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    const fresh = context.getAgent() as (HttpAgent & { options?: Record<string, unknown>; proxy?: unknown }) | undefined;
    // Only plain http(s) agents are pooled; proxies keep client-node's own agent.
    if (!fresh || (!(fresh instanceof HttpsAgent) && fresh.constructor !== HttpAgent)) return;
    const o = fresh.options ?? {};
    const key = createHash('sha256')
      .update(JSON.stringify([this.getCurrentCluster()?.server, fresh instanceof HttpsAgent, o.servername, o.rejectUnauthorized]))
      .update(String(o.ca ?? ''))
      .update(String(o.cert ?? ''))
      .update(String(o.key ?? ''))
      .digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      const options = { ...o, keepAlive: true };
      agent = fresh instanceof HttpsAgent ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(key, agent);
    }
    context.setAgent(agent);
  }

  /** Closes the pooled connections (on shutdown). */
  destroyAgents(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
