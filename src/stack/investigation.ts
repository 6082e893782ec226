/**
 * The investigation side of a stack: the LLM the investigator talks to and the investigator
 * service itself. With no LLM configured (no flag, file or KUBERNAUT_LLM_* variable) the
 * deterministic mock LLM is started beside it and used through the same OpenAI-compatible
 * adapter a real model would be, so the agent loop is the same code either way.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import type { Clock } from '../platform/clock.ts';
import type { HttpAuth } from '../platform/http/auth.ts';
import type { LlmConfig } from '../investigator/llm/config.ts';

/** Where an LLM configuration may come from; everything optional. */
export interface LlmSelection {
  /** A YAML/JSON file with the LlmConfig fields. */
  llmConfig?: string;
  llmProvider?: string;
  llmModel?: string;
  llmEndpoint?: string;
}

/** True when the user configured a model in any way, so the mock must not stand in. */
export function llmConfigured(sel: LlmSelection, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(sel.llmConfig || sel.llmProvider || sel.llmModel || sel.llmEndpoint || env.KUBERNAUT_LLM_PROVIDER || env.KUBERNAUT_LLM_MODEL || env.KUBERNAUT_LLM_ENDPOINT);
}

export function llmOverrides(sel: LlmSelection): Partial<LlmConfig> {
  return {
    ...(sel.llmProvider ? { provider: sel.llmProvider as LlmConfig['provider'] } : {}),
    ...(sel.llmModel ? { model: sel.llmModel } : {}),
    ...(sel.llmEndpoint ? { endpoint: sel.llmEndpoint } : {}),
  };
}

export interface InvestigationOptions extends LlmSelection {
  clock: Clock;
  kubeconfig: KubeConfig;
  host: string;
  investigatorPort: number;
  mockLlmPort: number;
  dataStorageUrl: string;
  dataStorageToken?: () => string | undefined;
  prometheusUrl?: string;
  audit: AuditSink;
  auth?: HttpAuth;
  /** Told as each part starts serving. */
  onReady?: (part: 'mockLlm' | 'investigator', url: string, detail: string) => void;
}

export interface RunningInvestigation {
  investigatorUrl: string;
  mockLlmUrl?: string;
  close(): Promise<void>;
}

export async function startInvestigation(opts: InvestigationOptions): Promise<RunningInvestigation> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const [{ createLlmProvider, loadLlmConfig, describeLlmConfig }, { startInvestigator }] = await Promise.all([import('../investigator/llm/index.ts'), import('../investigator/server.ts')]);
    let mockLlmUrl: string | undefined;
    let config: LlmConfig;
    if (llmConfigured(opts)) {
      config = loadLlmConfig({ file: opts.llmConfig, overrides: llmOverrides(opts) });
    } else {
      const { startMockLlm } = await import('../investigator/mock-llm/server.ts');
      const mock = await startMockLlm({ host: opts.host, port: opts.mockLlmPort, clock: opts.clock });
      closers.push(() => mock.close());
      mockLlmUrl = mock.url;
      opts.onReady?.('mockLlm', mock.url, 'offline and deterministic; configure a model with --llm-provider/--llm-model or KUBERNAUT_LLM_*');
      // The environment must not leak a key or endpoint of some other provider into the mock's config.
      config = loadLlmConfig({ env: {}, overrides: { provider: 'openai-compatible', model: 'mock-model', endpoint: mock.url } });
    }
    const llm = createLlmProvider(config, { clock: opts.clock });
    const investigator = await startInvestigator({
      host: opts.host,
      port: opts.investigatorPort,
      kubeconfig: opts.kubeconfig,
      llm,
      dataStorage: { baseUrl: opts.dataStorageUrl, bearerToken: opts.dataStorageToken },
      prometheusUrl: opts.prometheusUrl,
      audit: opts.audit,
      clock: opts.clock,
      auth: opts.auth,
      temperature: config.temperature,
      maxOutputTokens: config.maxOutputTokens,
      pricing: config.pricing,
    });
    closers.push(() => investigator.close());
    opts.onReady?.('investigator', investigator.url, describeLlmConfig(config));
    return { investigatorUrl: investigator.url, mockLlmUrl, close };
  } catch (e) {
    await close();
    throw e;
  }
}
