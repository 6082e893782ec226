/**
 * Everything an evaluation needs, in this process: the embedded cluster (time-scaled), DataStorage
 * (in-memory PGlite) with the shipped catalog, the embedded Prometheus API over kube-state-metrics,
 * the mock LLM unless a provider is configured, and investigators that use the given provider.
 * The investigator runs on an unscaled clock: its LLM and tool time limits are real time, which a
 * real provider needs whatever the cluster's time scale.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { NodeConfig } from '../src/cluster/control-plane/options.ts';
import { AuditClient } from '../src/datastorage/client/audit-client.ts';
import { startDataStorage } from '../src/datastorage/server.ts';
import { createLlmProvider, loadLlmConfig, type LlmConfig, type LlmProvider } from '../src/investigator/llm/index.ts';
import { startMockLlm } from '../src/investigator/mock-llm/server.ts';
import { startInvestigator, type RunningInvestigator } from '../src/investigator/server.ts';
import { ScaledClock, type Clock } from '../src/platform/clock.ts';
import { startAlerting } from '../src/stack/alerting.ts';
import { registerShippedWorkflows, SHIPPED_WORKFLOWS_DIR } from '../src/stack/kubernaut-services.ts';
import { startEvalCluster, type EvalCluster } from './cluster.ts';

export const MOCK_MODEL = 'mock-model';

export interface EvalStackOptions {
  /** The cluster's (and DataStorage's, alerting's) time scale. */
  timeScale: number;
  /** Extra nodes the fixtures declare. */
  nodes: NodeConfig[];
  /** A real provider's configuration; absent: the mock LLM through the openai-compatible adapter. */
  llm?: LlmConfig;
  /** Run the embedded Prometheus API for the PromQL tools (default true). */
  prometheus?: boolean;
  /**
   * Serve Alertmanager's alert API too (the EffectivenessMonitor reads it, pipeline mode): its
   * routing then sends every alert to a sink that drops it, since the harness alerts the Gateway itself.
   */
  alertmanagerApi?: boolean;
  workflowsDir?: string;
  host?: string;
}

export interface EvalStack {
  cluster: EvalCluster;
  kubeconfig: KubeConfig;
  dataStorageUrl: string;
  prometheusUrl?: string;
  /** The embedded Alertmanager API (with the Prometheus API), for the EffectivenessMonitor in pipeline mode. */
  alertmanagerUrl?: string;
  /** The cluster's (time-scaled) clock, for services that run beside it. */
  clusterClock: Clock;
  /** The audit client investigators record through (DataStorage). */
  audit: AuditClient;
  mockLlmUrl?: string;
  /** The LLM configuration investigators use by default (the mock's when no provider is given). */
  llmConfig: LlmConfig;
  /** Workflow ids of the registered catalog: anything else selected is a failure. */
  catalog: Set<string>;
  /** A provider for `llmConfig` (each call makes a fresh one). */
  createProvider(): LlmProvider;
  /** An investigator answering with `llm`; closed with the stack unless closed earlier. */
  startInvestigator(llm: LlmProvider): Promise<RunningInvestigator>;
  close(): Promise<void>;
}

export async function startEvalStack(opts: EvalStackOptions): Promise<EvalStack> {
  const host = opts.host ?? '127.0.0.1';
  const clusterClock: Clock = new ScaledClock(opts.timeScale);
  const realClock: Clock = new ScaledClock(1);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const cluster = await startEvalCluster(clusterClock, opts.nodes);
    closers.push(() => cluster.close());

    const ds = await startDataStorage({ clock: clusterClock, host });
    closers.push(() => ds.close());
    const catalog = new Set(await registerShippedWorkflows(ds.url, opts.workflowsDir ?? SHIPPED_WORKFLOWS_DIR));
    const audit = new AuditClient({ baseUrl: ds.url, clock: realClock });
    closers.push(() => audit.close());

    let prometheusUrl: string | undefined;
    let alertmanagerUrl: string | undefined;
    if (opts.prometheus !== false && cluster.cluster.kubeStateMetricsUrl) {
      let alertmanagerConfigFile: string | undefined;
      if (opts.alertmanagerApi) {
        const sink = await startAlertSink(host);
        closers.push(() => sink.close());
        alertmanagerConfigFile = sink.configFile;
      }
      const alerting = await startAlerting({
        alertmanagerConfigFile,
        mode: 'embedded',
        kubeconfig: cluster.kubeconfig,
        clock: clusterClock,
        host,
        prometheusPort: 0,
        alertmanagerPort: 0,
        targets: [{ jobName: 'kube-state-metrics', url: cluster.cluster.kubeStateMetricsUrl, labels: { instance: 'kube-state-metrics' } }],
        scrapeIntervalMs: 30_000,
        evaluationIntervalMs: 30_000,
      });
      closers.push(() => alerting.close());
      prometheusUrl = alerting.prometheusUrl;
      alertmanagerUrl = alerting.alertmanagerUrl;
    }

    let mockLlmUrl: string | undefined;
    let llmConfig = opts.llm;
    if (!llmConfig) {
      const mock = await startMockLlm({ host, port: 0 });
      closers.push(() => mock.close());
      mockLlmUrl = mock.url;
      llmConfig = loadLlmConfig({ env: {}, overrides: { provider: 'openai-compatible', model: MOCK_MODEL, endpoint: mock.url } });
    }
    const config = llmConfig;

    const investigators = new Set<RunningInvestigator>();
    closers.push(async () => {
      await Promise.all([...investigators].map((i) => i.close()));
    });
    return {
      cluster,
      kubeconfig: cluster.kubeconfig,
      dataStorageUrl: ds.url,
      prometheusUrl,
      alertmanagerUrl,
      clusterClock,
      audit,
      mockLlmUrl,
      llmConfig: config,
      catalog,
      createProvider: () => createLlmProvider(config, { clock: realClock }),
      async startInvestigator(llm) {
        const running = await startInvestigator({
          host,
          port: 0,
          kubeconfig: cluster.kubeconfig,
          llm,
          dataStorage: { baseUrl: ds.url },
          prometheusUrl,
          audit,
          clock: realClock,
          temperature: config.temperature,
          maxOutputTokens: config.maxOutputTokens,
          pricing: config.pricing,
        });
        investigators.add(running);
        return {
          url: running.url,
          close: async () => {
            investigators.delete(running);
            await running.close();
          },
        };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A webhook receiver that accepts and drops every alert, and an Alertmanager config routing everything to it. */
async function startAlertSink(host: string): Promise<{ configFile: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-eval-am-'));
  const configFile = join(dir, 'alertmanager.yaml');
  writeFileSync(configFile, `route:\n  receiver: eval-sink\nreceivers:\n  - name: eval-sink\n    webhook_configs:\n      - url: http://${host}:${port}/alerts\n`);
  return {
    configFile,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
