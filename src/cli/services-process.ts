/**
 * `up`'s side of the services process: forks `kubernaut __up-services` (services-child.ts) at
 * once, so it loads its modules while the cluster starts, then hands it the cluster and relays
 * what it reports. Kubernaut's services thus run on their own event loop, on the second core,
 * and the cluster, the alerting and the Gateway no longer starve each other.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deserializeError, SERVICES_SUBCOMMAND, type FromServices, type ToServices } from './services-ipc.ts';
import type { ControlPlaneInfo, RunningServicesStack, ServicesPlan, ServicesReport } from './up-services.ts';
import type { UpOptions } from './up.ts';

const KUBERNAUT_BIN = fileURLToPath(new URL('../../bin/kubernaut.js', import.meta.url));

export class ServicesProcess {
  private readonly child: ChildProcess;
  private closeRequested = false;
  private readonly exited: Promise<void>;
  private settled = false;
  private resolveStarted!: () => void;
  private rejectStarted!: (e: Error) => void;
  /** Settles when every service started, or with the first failure (the services process closed what it had started). */
  readonly started: Promise<void>;

  /**
   * Forks the services process. `onUnexpectedExit` is told when it ends without `up` asking it to
   * (killed, crashed) after it was started; before that, `started` rejects instead.
   */
  constructor(
    opts: UpOptions,
    private readonly report: ServicesReport,
    private readonly onUnexpectedExit: (why: string) => void,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.started.catch(() => undefined);
    // stdout and stderr are up's own: the services' log lines (--log-format json) and warnings
    // land where up's do. The channel carries the rest.
    this.child = fork(KUBERNAUT_BIN, [SERVICES_SUBCOMMAND], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromServices) => this.receive(m));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const why = `the Kubernaut services process (pid ${this.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
        if (!this.settled) this.fail(new Error(`${why} before its services were ready`));
        else if (!this.closeRequested) this.onUnexpectedExit(why);
        resolve();
      });
    });
    // A failed send means the process is gone; its exit is reported above.
    this.child.on('error', () => undefined);
    this.send({ type: 'prepare', opts });
  }

  get pid(): number {
    return this.child.pid!;
  }

  start(plan: ServicesPlan): void {
    this.send({ type: 'start', plan });
  }

  controlPlaneReady(info: ControlPlaneInfo): void {
    this.send({ type: 'controlPlane', ok: true, ...info });
  }

  controlPlaneFailed(): void {
    this.send({ type: 'controlPlane', ok: false });
  }

  /** Asks the services to close (in reverse start order) and resolves once the process is gone. */
  async close(): Promise<void> {
    this.closeRequested = true;
    this.send({ type: 'close' });
    await this.exited;
  }

  private send(m: ToServices): void {
    if (this.child.connected) this.child.send(m);
  }

  private receive(m: FromServices): void {
    switch (m.type) {
      case 'ready':
        this.report.ready(m.component, m.urls, m.lines);
        break;
      case 'update':
        this.report.update(m.urls, m.lines);
        break;
      case 'started':
        this.settled = true;
        this.resolveStarted();
        break;
      case 'failed':
        this.fail(deserializeError(m.error));
        break;
    }
  }

  private fail(e: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectStarted(e);
  }
}

/** The services in up's own process (`--single-process`): the same start order and reports, one event loop. */
export async function startServicesInProcess(plan: ServicesPlan, controlPlane: Promise<ControlPlaneInfo>, report: ServicesReport): Promise<RunningServicesStack> {
  const { startKubernautServices } = await import('./up-services.ts');
  return startKubernautServices(plan, controlPlane, report);
}
