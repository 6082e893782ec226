/**
 * The services process of `kubernaut up` (forked by services-process.ts as the hidden
 * `kubernaut __up-services`): Kubernaut's own services on their own event loop and core, beside
 * the embedded cluster in `up`'s process, as a real deployment runs them beside the cluster.
 * It does only what `up` asks over the IPC channel and reports back; `up` prints and records.
 *
 * It closes when `up` asks, on SIGTERM, and when `up` is gone (the channel disconnects: `up` was
 * killed), so no services outlive their `up`. SIGINT is left to `up`: a Ctrl-C in the terminal
 * reaches the whole process group, and `up` closes the services before the cluster.
 */
import { join } from 'node:path';
import { componentLogger, logToFile } from '../platform/log.ts';
import { resolveDataDir } from './data-dir.ts';
import { serializeError, type FromServices, type ToServices } from './services-ipc.ts';
import { preloadServiceModules, startKubernautServices, type ControlPlaneInfo, type RunningServicesStack } from './up-services.ts';

/**
 * How long the services may take to close. Real-time bounds of process hygiene, not Kubernaut's
 * waits (so not scaled): a close step stuck on a peer that never answers (the API server of a
 * killed `up`, a request that never ends) must not leave the process behind.
 */
const CLOSE_DEADLINE_MS = 30_000;
const ORPHAN_CLOSE_DEADLINE_MS = 10_000;

export async function runServicesChild(): Promise<void> {
  if (!process.send) {
    process.stderr.write('kubernaut: this command is started by `kubernaut up`, not by hand\n');
    process.exitCode = 2;
    return;
  }
  const log = componentLogger('up');
  const send = (m: FromServices) => {
    if (process.connected) process.send!(m);
  };
  let running: RunningServicesStack | undefined;
  let exiting = false;
  const controlPlane = deferred<ControlPlaneInfo>();

  const exitBy = (deadlineMs: number, code: number, why: string) =>
    setTimeout(() => {
      log.warn({ deadlineMs }, why);
      process.exit(code);
    }, deadlineMs).unref();
  const closeAndExit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    exitBy(CLOSE_DEADLINE_MS, code, 'services did not close in time; exiting');
    await running?.close();
    process.exit(code);
  };

  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void closeAndExit(0));
  // `up` is gone (killed): close, even if a close was under way already, within a shorter bound.
  process.on('disconnect', () => {
    exitBy(ORPHAN_CLOSE_DEADLINE_MS, 1, 'services did not close in time after kubernaut up went away; exiting');
    void closeAndExit(1);
  });
  process.on('message', (m: ToServices) => {
    switch (m.type) {
      case 'prepare': {
        // The same log file as `up`: lines are appended whole, each by one write.
        if (m.opts.logFormat !== 'json') logToFile(join(resolveDataDir(m.opts.dataDir), 'logs', 'kubernaut.log'));
        log.debug({ sinceStartMs: Math.round(performance.now()) }, 'services process loading its modules');
        preloadServiceModules(m.opts).then(() => log.debug({ sinceStartMs: Math.round(performance.now()) }, 'services process loaded its modules'));
        break;
      }
      case 'start': {
        if (running || exiting) break;
        log.debug({ sinceStartMs: Math.round(performance.now()) }, 'services process starting the services');
        running = startKubernautServices(m.plan, controlPlane.promise, {
          ready: (component, urls, lines) => send({ type: 'ready', component, urls, lines }),
          update: (urls, lines) => send({ type: 'update', urls, lines }),
        });
        running.started.then(
          () => send({ type: 'started' }),
          async (e) => {
            // What started is closed before `up` hears of the failure, as `up` closes the cluster next.
            await running!.close();
            send({ type: 'failed', error: serializeError(e) });
          },
        );
        break;
      }
      case 'controlPlane':
        if (m.ok) controlPlane.resolve({ kubeStateMetricsUrl: m.kubeStateMetricsUrl });
        else controlPlane.reject(new Error('the control plane failed to start'));
        break;
      case 'close':
        void closeAndExit(0);
        break;
    }
  });
  // Nothing waits on the control plane when alerting is off or a service failed first.
  controlPlane.promise.catch(() => undefined);
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
