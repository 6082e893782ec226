/**
 * LLM provider configuration (investigation.md §11): from a YAML/JSON file, the environment and
 * command-line overrides, in that order of increasing precedence. On real clusters the key comes
 * from a mounted Secret (`KUBERNAUT_LLM_API_KEY_FILE`). Every error names the field and where the
 * bad value came from, because an operator fixing a Deployment needs to know which knob to turn.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const LLM_PROVIDERS = ['openai-compatible', 'openai', 'azure-openai', 'anthropic', 'gemini', 'ollama', 'vllm', 'litellm', 'lmstudio'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

/** Local OpenAI-compatible servers: spoken to by the openai-compatible adapter, no key needed. */
export const OPENAI_COMPATIBLE_DEFAULT_ENDPOINTS: Partial<Record<LlmProviderName, string>> = {
  ollama: 'http://localhost:11434/v1',
  lmstudio: 'http://localhost:1234/v1',
  vllm: 'http://localhost:8000/v1',
  litellm: 'http://localhost:4000',
};

/** Hosted providers' endpoints (what their SDKs would use), so errors and logs can name them. */
export const HOSTED_DEFAULT_ENDPOINTS: Partial<Record<LlmProviderName, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

const KEYLESS: ReadonlySet<LlmProviderName> = new Set(['openai-compatible', 'ollama', 'vllm', 'litellm', 'lmstudio']);

/** The usual per-vendor variables, consulted only when no Kubernaut-specific key is configured. */
const VENDOR_KEY_VARIABLES: Partial<Record<LlmProviderName, string[]>> = {
  openai: ['OPENAI_API_KEY'],
  'azure-openai': ['AZURE_OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
};

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
const MAX_KEY_FILE_BYTES = 64 * 1024;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http:// or https:// URL' });

const fields = {
  provider: z.enum(LLM_PROVIDERS),
  model: z.string().trim().min(1),
  endpoint: httpUrl,
  apiKey: z.string().min(1),
  temperature: z.number().min(0).max(2),
  timeoutSeconds: z.number().positive().max(3600),
  maxRetries: z.number().int().min(0).max(10),
  maxOutputTokens: z.number().int().positive().max(1_000_000),
  azure: z.object({ apiVersion: z.string().min(1).default(DEFAULT_AZURE_API_VERSION), deployment: z.string().min(1).optional() }).strict(),
  pricing: z.object({ promptUsdPerMillion: z.number().nonnegative(), completionUsdPerMillion: z.number().nonnegative() }).strict(),
};

export const llmConfigSchema = z
  .object({
    provider: fields.provider,
    model: fields.model,
    endpoint: fields.endpoint.optional(),
    apiKey: fields.apiKey.optional(),
    temperature: fields.temperature.default(0.2),
    timeoutSeconds: fields.timeoutSeconds.default(120),
    maxRetries: fields.maxRetries.default(3),
    maxOutputTokens: fields.maxOutputTokens.default(4096),
    azure: fields.azure.optional(),
    pricing: fields.pricing.optional(),
  })
  .strict();

export type LlmConfig = z.output<typeof llmConfigSchema>;
export type LlmConfigInput = z.input<typeof llmConfigSchema>;

/** What a config file may hold: the config itself plus `apiKeyFile`, a path to read the key from. */
const fileLayerSchema = z
  .object({
    provider: fields.provider.optional(),
    model: fields.model.optional(),
    endpoint: fields.endpoint.optional(),
    apiKey: fields.apiKey.optional(),
    apiKeyFile: z.string().min(1).optional(),
    temperature: fields.temperature.optional(),
    timeoutSeconds: fields.timeoutSeconds.optional(),
    maxRetries: fields.maxRetries.optional(),
    maxOutputTokens: fields.maxOutputTokens.optional(),
    azure: fields.azure.partial().optional(),
    pricing: fields.pricing.optional(),
  })
  .strict();

const overridesLayerSchema = fileLayerSchema.omit({ apiKeyFile: true });

type Layer = z.output<typeof fileLayerSchema>;
type FieldName = keyof Layer;

export class LlmConfigError extends Error {
  override name = 'LlmConfigError';
}

export interface LoadLlmConfigOptions {
  /** A YAML or JSON file holding the fields of LlmConfig (and optionally `apiKeyFile`). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest precedence, e.g. command-line flags. Undefined members are ignored. */
  overrides?: Partial<LlmConfig>;
}

/** Environment variable per field, so errors can name the variable an operator set. */
const ENV_VARIABLES = {
  provider: 'KUBERNAUT_LLM_PROVIDER',
  model: 'KUBERNAUT_LLM_MODEL',
  endpoint: 'KUBERNAUT_LLM_ENDPOINT',
  apiKey: 'KUBERNAUT_LLM_API_KEY',
  apiKeyFile: 'KUBERNAUT_LLM_API_KEY_FILE',
  temperature: 'KUBERNAUT_LLM_TEMPERATURE',
  timeoutSeconds: 'KUBERNAUT_LLM_TIMEOUT_SECONDS',
  maxRetries: 'KUBERNAUT_LLM_MAX_RETRIES',
  maxOutputTokens: 'KUBERNAUT_LLM_MAX_OUTPUT_TOKENS',
  azureApiVersion: 'KUBERNAUT_LLM_AZURE_API_VERSION',
  azureDeployment: 'KUBERNAUT_LLM_AZURE_DEPLOYMENT',
} as const;

/**
 * Resolves the LLM configuration: overrides > environment > file > defaults. Throws LlmConfigError
 * naming the field and its source (`file /etc/kubernaut/llm.yaml`, `environment
 * KUBERNAUT_LLM_TEMPERATURE`, `overrides`) for the first layer that holds a bad value.
 */
export function loadLlmConfig(options: LoadLlmConfigOptions = {}): LlmConfig {
  const env = options.env ?? process.env;
  const layers: Array<{ source: string; values: Layer; sourceOf: (field: string) => string }> = [];

  if (options.file) {
    const source = `file ${options.file}`;
    layers.push({ source, values: readFileLayer(options.file), sourceOf: () => source });
  }
  layers.push(readEnvLayer(env));
  if (options.overrides) {
    const given = Object.fromEntries(Object.entries(options.overrides).filter(([, v]) => v !== undefined));
    layers.push({ source: 'overrides', values: validateLayer(overridesLayerSchema, given, () => 'overrides'), sourceOf: () => 'overrides' });
  }

  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  let keyFile: { path: string; source: string } | undefined;
  for (const layer of layers) {
    for (const [field, value] of Object.entries(layer.values) as Array<[FieldName, unknown]>) {
      if (value === undefined) continue;
      if (field === 'apiKeyFile') {
        // A key file and an inline key of the same layer: the inline one wins (same as apiKey over a file below).
        if (layer.values.apiKey === undefined) {
          keyFile = { path: value as string, source: layer.sourceOf('apiKeyFile') };
          delete merged.apiKey;
        }
        continue;
      }
      if (field === 'apiKey') keyFile = undefined;
      merged[field] = field === 'azure' ? { ...(merged.azure as object | undefined), ...(value as object) } : value;
      origin[field] = layer.sourceOf(field);
    }
  }
  if (keyFile) {
    merged.apiKey = readKeyFile(keyFile.path, keyFile.source);
    origin.apiKey = keyFile.source;
  }

  const provider = merged.provider as LlmProviderName | undefined;
  if (!provider) {
    throw new LlmConfigError(`provider: not set (set "provider" in the config file, ${ENV_VARIABLES.provider} or --llm-provider; one of ${LLM_PROVIDERS.join(', ')})`);
  }
  if (merged.model === undefined) {
    throw new LlmConfigError(`model: not set for provider ${provider} (set "model" in the config file, ${ENV_VARIABLES.model} or --llm-model)`);
  }
  if (merged.apiKey === undefined) {
    for (const variable of VENDOR_KEY_VARIABLES[provider] ?? []) {
      const value = nonEmpty(env[variable]);
      if (value !== undefined) {
        merged.apiKey = value;
        origin.apiKey = `environment ${variable}`;
        break;
      }
    }
  }
  if (merged.endpoint === undefined) merged.endpoint = OPENAI_COMPATIBLE_DEFAULT_ENDPOINTS[provider];
  if (provider === 'azure-openai') merged.azure = { apiVersion: DEFAULT_AZURE_API_VERSION, ...(merged.azure as object | undefined) };

  const result = llmConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = String(issue.path[0] ?? '');
    throw new LlmConfigError(`${issue.path.join('.') || '(root)'} (${origin[field] ?? 'defaults'}): ${issue.message}`);
  }
  const cfg = result.data;

  if (cfg.apiKey === undefined && !KEYLESS.has(cfg.provider)) {
    const vendor = (VENDOR_KEY_VARIABLES[cfg.provider] ?? []).join(' or ');
    throw new LlmConfigError(
      `apiKey: provider ${cfg.provider} needs an API key (set ${ENV_VARIABLES.apiKey}, ${ENV_VARIABLES.apiKeyFile} to a mounted Secret file, "apiKey"/"apiKeyFile" in the config file${vendor ? `, or ${vendor}` : ''})`,
    );
  }
  if ((cfg.provider === 'openai-compatible' || cfg.provider === 'azure-openai') && cfg.endpoint === undefined) {
    throw new LlmConfigError(`endpoint: provider ${cfg.provider} needs an endpoint URL (set "endpoint" in the config file, ${ENV_VARIABLES.endpoint} or --llm-endpoint)`);
  }
  return cfg;
}

/** One log line's worth of the configuration; never includes the key. */
export function describeLlmConfig(cfg: LlmConfig): string {
  const endpoint = cfg.endpoint ?? HOSTED_DEFAULT_ENDPOINTS[cfg.provider] ?? '(default)';
  const parts = [
    `provider=${cfg.provider}`,
    `model=${cfg.model}`,
    `endpoint=${endpoint}`,
    `apiKey=${cfg.apiKey ? 'set' : 'none'}`,
    `temperature=${cfg.temperature}`,
    `timeoutSeconds=${cfg.timeoutSeconds}`,
    `maxRetries=${cfg.maxRetries}`,
    `maxOutputTokens=${cfg.maxOutputTokens}`,
  ];
  if (cfg.azure) parts.push(`azureApiVersion=${cfg.azure.apiVersion}`, `azureDeployment=${cfg.azure.deployment ?? cfg.model}`);
  return parts.join(' ');
}

function readFileLayer(path: string): Layer {
  const source = `file ${path}`;
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_FILE_BYTES) throw new LlmConfigError(`${source}: ${size} bytes is larger than the ${MAX_CONFIG_FILE_BYTES} allowed`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof LlmConfigError) throw err;
    throw new LlmConfigError(`${source}: cannot read it (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    doc = parseYaml(text);
  } catch (err) {
    throw new LlmConfigError(`${source}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  return validateLayer(fileLayerSchema, doc, () => source);
}

function readEnvLayer(env: NodeJS.ProcessEnv): { source: string; values: Layer; sourceOf: (field: string) => string } {
  const values: Record<string, unknown> = {};
  const variableOf: Record<string, string> = {};
  const take = (field: FieldName, variable: string, convert: (s: string) => unknown = (s) => s) => {
    const raw = nonEmpty(env[variable]);
    if (raw === undefined) return;
    values[field] = convert(raw);
    variableOf[field] = variable;
  };
  take('provider', ENV_VARIABLES.provider);
  take('model', ENV_VARIABLES.model);
  take('endpoint', ENV_VARIABLES.endpoint);
  take('apiKey', ENV_VARIABLES.apiKey);
  take('apiKeyFile', ENV_VARIABLES.apiKeyFile);
  take('temperature', ENV_VARIABLES.temperature, toNumber);
  take('timeoutSeconds', ENV_VARIABLES.timeoutSeconds, toNumber);
  take('maxRetries', ENV_VARIABLES.maxRetries, toNumber);
  take('maxOutputTokens', ENV_VARIABLES.maxOutputTokens, toNumber);
  const apiVersion = nonEmpty(env[ENV_VARIABLES.azureApiVersion]);
  const deployment = nonEmpty(env[ENV_VARIABLES.azureDeployment]);
  if (apiVersion !== undefined || deployment !== undefined) {
    values.azure = { ...(apiVersion !== undefined && { apiVersion }), ...(deployment !== undefined && { deployment }) };
    variableOf.azure = [apiVersion !== undefined && ENV_VARIABLES.azureApiVersion, deployment !== undefined && ENV_VARIABLES.azureDeployment].filter(Boolean).join('/');
  }
  const sourceOf = (field: string) => `environment ${variableOf[field] ?? ''}`.trim();
  return { source: 'environment', values: validateLayer(fileLayerSchema, values, sourceOf), sourceOf };
}

function validateLayer<S extends z.ZodType>(schema: S, input: unknown, sourceOf: (field: string) => string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    throw new LlmConfigError(`${issue.keys.join(', ')} (${sourceOf('')}): unknown field${issue.keys.length > 1 ? 's' : ''}; known: ${Object.keys(fields).join(', ')}, apiKeyFile`);
  }
  const field = String(issue.path[0] ?? '');
  const where = issue.path.length ? issue.path.join('.') : '(root)';
  throw new LlmConfigError(`${where} (${sourceOf(field)}): ${issue.message}${shownValue(input, issue.path)}`);
}

/** The offending value for the message, unless it is the key. */
function shownValue(input: unknown, path: PropertyKey[]): string {
  if (path[0] === 'apiKey') return '';
  let value: unknown = input;
  for (const p of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p] : undefined;
  return value === undefined || typeof value === 'object' ? '' : ` (got ${JSON.stringify(value).slice(0, 80)})`;
}

function readKeyFile(path: string, source: string): string {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_KEY_FILE_BYTES) throw new LlmConfigError(`apiKeyFile (${source}): ${path} is ${size} bytes, more than a key can be`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof LlmConfigError) throw err;
    throw new LlmConfigError(`apiKeyFile (${source}): cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // Secrets written by hand usually end in a newline the provider would reject.
  const key = text.trim();
  if (!key) throw new LlmConfigError(`apiKeyFile (${source}): ${path} is empty`);
  return key;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Keeps a non-numeric value as text so the schema's error names the variable and says "expected number". */
function toNumber(raw: string): unknown {
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
}
