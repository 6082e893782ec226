/**
 * `kubernaut investigator`: the investigator service alone, for real deployments. Without any LLM
 * setting it refuses to start rather than silently use the mock: a real deployment must name its
 * model (run `kubernaut mock-llm` and point --llm-endpoint at it to use the mock on purpose).
 */
import type { AuditSink } from '../datastorage/client/audit-client.ts';
import { ScaledClock } from '../platform/clock.ts';
import { componentLogger } from '../platform/log.ts';
import { llmConfigured, llmOverrides, type LlmSelection } from '../stack/investigation.ts';
import { loadKubeConfig, onSignals } from './services.ts';
import { serviceAuth, tokenFromFile, type ServiceAuthFlags } from './service-auth.ts';

export interface InvestigatorFlags extends LlmSelection, ServiceAuthFlags {
  kubeconfig?: string;
  port: number;
  host: string;
  datastorageUrl: string;
  datastorageTokenFile?: string;
  auditSpillDir?: string;
  prometheusUrl?: string;
  timeScale: number;
}

export async function runInvestigator(opts: InvestigatorFlags): Promise<void> {
  if (!llmConfigured(opts)) {
    process.stderr.write('kubernaut investigator: no LLM configured: give --llm-config, --llm-provider/--llm-model, or KUBERNAUT_LLM_PROVIDER/KUBERNAUT_LLM_MODEL (for the offline mock: kubernaut mock-llm, then --llm-provider openai-compatible --llm-model mock-model --llm-endpoint <its URL>)\n');
    process.exitCode = 2;
    return;
  }
  const [{ AuditClient, NoopAuditSink }, { startInvestigator }, { createLlmProvider, loadLlmConfig, describeLlmConfig }] = await Promise.all([
    import('../datastorage/client/audit-client.ts'),
    import('../investigator/server.ts'),
    import('../investigator/llm/index.ts'),
  ]);
  const clock = new ScaledClock(opts.timeScale);
  const config = loadLlmConfig({ file: opts.llmConfig, overrides: llmOverrides(opts) });
  const llm = createLlmProvider(config, { clock });
  const kc = await loadKubeConfig(opts.kubeconfig);
  const token = opts.datastorageTokenFile ? tokenFromFile(opts.datastorageTokenFile) : undefined;
  const audit: AuditSink & { close?: () => Promise<void> } = opts.datastorageUrl
    ? new AuditClient({ baseUrl: opts.datastorageUrl, clock, spillDir: opts.auditSpillDir, bearerToken: token })
    : new NoopAuditSink();
  const investigator = await startInvestigator({
    host: opts.host,
    port: opts.port,
    kubeconfig: kc,
    llm,
    dataStorage: { baseUrl: opts.datastorageUrl, bearerToken: token },
    prometheusUrl: opts.prometheusUrl,
    audit,
    clock,
    auth: await serviceAuth(opts, () => kc),
    temperature: config.temperature,
    maxOutputTokens: config.maxOutputTokens,
    pricing: config.pricing,
  });
  componentLogger('investigator').info({ url: investigator.url, llm: describeLlmConfig(config), prometheus: opts.prometheusUrl ?? 'none' }, 'investigator is up');
  process.stdout.write(`investigator: ${investigator.url} (${describeLlmConfig(config)})\n`);
  onSignals(async () => {
    await investigator.close();
    await audit.close?.();
  });
}
