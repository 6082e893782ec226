/**
 * `kubernaut watch`: what `kubectl get rr,sp,aa,we,ea -n ns -w` would print if kubectl allowed `-w`
 * with several resource types. Each kind is listed, then watched, as a server-side Table (so the
 * columns are the CRDs' printer columns as the server renders them), and every change is printed
 * as one line in a single stream. Also the `kubectl kubernaut watch` plugin (bin/kubectl-kubernaut).
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { resolveDataDir } from './data-dir.ts';
import { KindStream, type RowEvent } from './watch/kind-stream.ts';
import { DEFAULT_KINDS, parseKinds, resolveKinds } from './watch/kinds.ts';
import { StreamLayout } from './watch/table-layout.ts';

export interface WatchOptions {
  namespace?: string;
  allNamespaces?: boolean;
  kinds?: string;
  kubeconfig?: string;
  context?: string;
  dataDir?: string;
  output?: string;
  timestamps?: boolean;
  outputWatchEvents?: boolean;
  watchOnly?: boolean;
}

/**
 * --kubeconfig; else --data-dir's kubeconfig (an embedded stack's); else $KUBECONFIG; else the
 * kubeconfig of the embedded stack in $KUBERNAUT_HOME or ./.kubernaut when one is there; else
 * ~/.kube/config or in-cluster, as kubectl would.
 */
export async function watchKubeConfig(opts: Pick<WatchOptions, 'kubeconfig' | 'dataDir' | 'context'>, note: (m: string) => void): Promise<KubeConfig> {
  const { PooledKubeConfig } = await import('../platform/kube/pooled-kubeconfig.ts');
  const kc = new PooledKubeConfig();
  const fromDataDir = (dir: string) => join(dir, 'kubeconfig');
  if (opts.kubeconfig) {
    kc.loadFromFile(opts.kubeconfig);
  } else if (opts.dataDir) {
    const file = fromDataDir(resolveDataDir(opts.dataDir));
    if (!existsSync(file)) throw new Error(`no kubeconfig in ${opts.dataDir} (is \`kubernaut up --data-dir ${opts.dataDir}\` running?)`);
    kc.loadFromFile(file);
  } else if (process.env.KUBECONFIG) {
    kc.loadFromDefault();
  } else if (existsSync(fromDataDir(resolveDataDir(undefined)))) {
    const file = fromDataDir(resolveDataDir(undefined));
    note(`using the embedded stack's kubeconfig ${file}`);
    kc.loadFromFile(file);
  } else {
    kc.loadFromDefault();
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) throw new Error(`context "${opts.context}" is not in the kubeconfig`);
    kc.setCurrentContext(opts.context);
  }
  return kc;
}

/** Runs until Ctrl-C (exit 0), a closed output (`| head`, exit 0) or a failed start (exit 1). */
export async function runWatch(opts: WatchOptions): Promise<void> {
  const warn = (m: string) => process.stderr.write(`kubernaut watch: ${m}\n`);
  const abort = new AbortController();
  // Every open request (a list and a watch per kind, at once) listens on this one signal.
  setMaxListeners(64, abort.signal);
  const stop = () => {
    abort.abort();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The reader went away (`| head`): nothing more to say.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') stop();
    else throw e;
  });

  let kc: KubeConfig;
  let streams: KindStream[];
  const sinks = new Map<KindStream, (e: RowEvent) => void>();
  let layout: StreamLayout;
  let namespace: string | undefined;
  try {
    if (opts.output !== undefined && opts.output !== 'wide') throw new Error(`-o ${opts.output} is not supported (only -o wide)`);
    if (opts.allNamespaces && opts.namespace) throw new Error('use either -n or -A, not both');
    const kinds = parseKinds(opts.kinds ?? DEFAULT_KINDS);
    kc = await watchKubeConfig(opts, warn);
    namespace = opts.allNamespaces ? undefined : (opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default');
    const served = await resolveKinds(kc, kinds);
    layout = new StreamLayout(
      {
        wide: opts.output === 'wide',
        timestamps: !!opts.timestamps,
        watchEvents: !!opts.outputWatchEvents,
        allNamespaces: !!opts.allNamespaces,
        write: (text) => process.stdout.write(text),
      },
      served,
    );
    streams = served.map((kind) => {
      const s: KindStream = new KindStream({ kc, kind, namespace, signal: abort.signal, onRow: (e) => sinks.get(s)!(e), onWarning: warn });
      return s;
    });
    // The current state first, one block per kind in the order asked for, as `kubectl get` prints it.
    const initial = new Map<KindStream, RowEvent[]>(streams.map((s) => [s, []]));
    for (const s of streams) sinks.set(s, (e) => initial.get(s)!.push(e));
    await Promise.all(streams.map((s) => s.list(!opts.watchOnly)));
    layout.printBlocks(streams.map((s) => initial.get(s)!));
    if (!opts.watchOnly && [...initial.values()].every((rows) => !rows.length)) {
      process.stderr.write(namespace === undefined ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    }
  } catch (e) {
    warn((e as Error).message);
    process.exit(1);
  }
  for (const s of streams) sinks.set(s, (e) => layout.printChange(e));
  await Promise.all(streams.map((s) => s.watchForever()));
}
