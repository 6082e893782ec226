/**
 * Shared set-up of the controller-toolkit tests: the real `kubernaut up` (API server only: no
 * Kubernaut controllers either, so nothing but the test writes the objects) with
 * Kubernaut's CRDs, KubeConfigs for it, builders of Kubernaut objects, and a proxy in front of the
 * API server that a test can cut (connection loss) or make hold new watches (to age their
 * resourceVersion past the watch cache: 410).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { installKubernautCrds } from '../../src/api/install.ts';
import type { RemediationRequest, SignalProcessing } from '../../src/api/v1alpha1/index.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

export interface KubeEnv {
  kubernaut: RunningKubernaut;
  kc: KubeConfig;
  /** A KubeConfig for the same cluster reached through another URL (a proxy). */
  kcFor(server: string): KubeConfig;
  /** A fresh namespace for one test. */
  namespace(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startKubeEnv(extraArgs: string[] = []): Promise<KubeEnv> {
  const kubernaut = await startKubernaut({ args: ['--ephemeral', '--no-control-plane', '--no-gateway', '--no-controllers', '--no-datastorage', '--prometheus', 'none', ...extraArgs] });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubernaut.kubeconfig);
    await installKubernautCrds(kc, { clock: new ScaledClock(1) });
    const core = kc.makeApiClient(CoreV1Api);
    let seq = 0;
    return {
      kubernaut,
      kc,
      kcFor(server) {
        const other = new KubeConfig();
        other.loadFromClusterAndUser({ name: 'proxied', server, skipTLSVerify: true }, { name: 'admin' });
        return other;
      },
      async namespace(prefix) {
        const name = `${prefix}-${++seq}`;
        await core.createNamespace({ body: { metadata: { name } } });
        return name;
      },
      stop: async () => void (await kubernaut.stop()),
    };
  } catch (err) {
    await kubernaut.stop();
    throw err;
  }
}

const FINGERPRINT = 'a'.repeat(64);

export function remediationRequest(namespace: string, name: string, labels: Record<string, string> = {}): RemediationRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name, namespace, labels },
    spec: {
      signalFingerprint: FINGERPRINT,
      signalName: 'KubePodCrashLooping',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace },
      firingTime: '2026-11-26T10:00:00Z',
      receivedTime: '2026-11-26T10:00:01Z',
    },
  };
}

export function signalProcessing(namespace: string, name: string, rrName: string): SignalProcessing {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'SignalProcessing',
    metadata: { name, namespace },
    spec: {
      remediationRequestRef: { name: rrName, namespace },
      signal: { fingerprint: FINGERPRINT, name: 'KubePodCrashLooping', severity: 'critical', targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace } },
    },
  };
}

/**
 * An HTTP proxy to the API server that a test can break: `cut()` drops every connection and
 * refuses new ones until `restore()`; `hold()` parks the requests it selects (e.g. new watches,
 * or writes) until `release()` forwards them.
 */
export class BreakableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private broken = false;
  private holding?: (req: IncomingMessage) => boolean;
  private held: (() => void)[] = [];
  /** Requests forwarded so far (lists and watches). */
  watchRequests = 0;
  listRequests = 0;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const forward = () => {
        if (this.broken) return req.socket.destroy();
        if (isWatch(req)) this.watchRequests++;
        else if (req.method === 'GET') this.listRequests++;
        const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          // A watch answers its headers at once; pass them on at once too.
          res.flushHeaders();
          answer.pipe(res);
        });
        upstream.on('socket', (s) => this.track(s));
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      };
      if (this.holding?.(req)) this.held.push(forward);
      else forward();
    });
    this.server.on('connection', (s) => {
      if (this.broken) return s.destroy();
      this.track(s);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  cut(): void {
    this.broken = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.broken = false;
  }

  /** Requests parked by hold(). */
  get heldRequests(): number {
    return this.held.length;
  }

  /** Parks new requests that `which` selects until release(). */
  hold(which: (req: IncomingMessage) => boolean): void {
    this.holding = which;
  }

  holdWatches(): void {
    this.hold(isWatch);
  }

  /** Forwards the parked requests and parks no more. */
  release(): void {
    this.holding = undefined;
    for (const forward of this.held.splice(0)) forward();
  }

  /** Ends every open connection (as an API server restart would) without refusing new ones. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}

function isWatch(req: IncomingMessage): boolean {
  return new URL(req.url!, 'http://x').searchParams.get('watch') === 'true';
}
