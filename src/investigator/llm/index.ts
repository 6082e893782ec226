/**
 * The LLM layer of the investigator: configuration, the provider factory, token counting and
 * transcripts. The agent loop sees only LlmProvider (types.ts).
 */
import type { Clock } from '../../platform/clock.ts';
import type { LlmConfig } from './config.ts';
import { anthropicAdapter } from './providers/anthropic.ts';
import type { ProviderAdapter } from './providers/adapter.ts';
import { geminiAdapter } from './providers/gemini.ts';
import { openAiAdapter } from './providers/openai.ts';
import { resilientProvider, type ResilienceOptions } from './resilient-provider.ts';
import type { LlmProvider } from './types.ts';

export * from './types.ts';
export { describeLlmConfig, loadLlmConfig, llmConfigSchema, LlmConfigError, LLM_PROVIDERS, OPENAI_COMPATIBLE_DEFAULT_ENDPOINTS } from './config.ts';
export type { LlmConfig, LlmConfigInput, LlmProviderName, LoadLlmConfigOptions } from './config.ts';
export { countCompletionTokens, countPromptTokens, countTextTokens, TOKENIZER_ENCODING } from './token-count.ts';
export { compareRequests, createTranscript, parseTranscript, readTranscript, recordingProvider, replayProvider, TranscriptDivergenceError, writeTranscript, TRANSCRIPT_FORMAT, TRANSCRIPT_VERSION } from './transcript.ts';
export type { ReplayOptions } from './transcript.ts';
export type { Transcript, TranscriptEntry } from './transcript.ts';

export interface CreateLlmProviderOptions {
  clock: Clock;
  /** Back-off tuning and hooks (tests use a tiny back-off; the service logs retries). */
  backoff?: ResilienceOptions['backoff'];
  random?: ResilienceOptions['random'];
  onRetry?: ResilienceOptions['onRetry'];
}

/** The provider for a configuration; the openai-compatible family members share one adapter. */
export function createLlmProvider(config: LlmConfig, opts: CreateLlmProviderOptions): LlmProvider {
  const nowMs = () => opts.clock.nowMs();
  let adapter: ProviderAdapter;
  switch (config.provider) {
    case 'anthropic':
      adapter = anthropicAdapter(config, nowMs);
      break;
    case 'gemini':
      adapter = geminiAdapter(config, nowMs);
      break;
    default:
      adapter = openAiAdapter(config, nowMs);
  }
  return resilientProvider(adapter, {
    clock: opts.clock,
    maxRetries: config.maxRetries,
    timeoutSeconds: config.timeoutSeconds,
    backoff: opts.backoff,
    random: opts.random,
    onRetry: opts.onRetry,
  });
}
