/** LLM configuration: precedence, key files, family defaults and errors that name field and source. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeLlmConfig, loadLlmConfig, LlmConfigError } from '../../../src/investigator/llm/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'llm-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string) => {
  const path = join(dir, `f${++n}`);
  writeFileSync(path, text);
  return path;
};

const throwsConfig = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof LlmConfigError, String(err));
    assert.match(err.message, pattern);
    return true;
  });

describe('loadLlmConfig', () => {
  test('defaults fill what nobody set', () => {
    const cfg = loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'openai-compatible', KUBERNAUT_LLM_MODEL: 'mock-model', KUBERNAUT_LLM_ENDPOINT: 'http://127.0.0.1:9/v1' } });
    assert.deepEqual(cfg, {
      provider: 'openai-compatible',
      model: 'mock-model',
      endpoint: 'http://127.0.0.1:9/v1',
      temperature: 0.2,
      timeoutSeconds: 120,
      maxRetries: 3,
      maxOutputTokens: 4096,
    });
  });

  test('precedence: overrides > env > file > defaults', () => {
    const path = file('provider: anthropic\nmodel: from-file\ntemperature: 0.5\ntimeoutSeconds: 60\nmaxRetries: 1\napiKey: file-key\n');
    const env = { KUBERNAUT_LLM_MODEL: 'from-env', KUBERNAUT_LLM_TEMPERATURE: '0.7' };
    const cfg = loadLlmConfig({ file: path, env, overrides: { temperature: 0, model: undefined } });
    assert.equal(cfg.provider, 'anthropic');
    assert.equal(cfg.model, 'from-env');
    assert.equal(cfg.temperature, 0);
    assert.equal(cfg.timeoutSeconds, 60);
    assert.equal(cfg.maxRetries, 1);
    assert.equal(cfg.apiKey, 'file-key');
    assert.equal(cfg.maxOutputTokens, 4096);
  });

  test('JSON files work too, with azure and pricing sections', () => {
    const path = file(JSON.stringify({ provider: 'azure-openai', model: 'gpt-4o', endpoint: 'https://res.openai.azure.com', apiKey: 'k', azure: { deployment: 'prod' }, pricing: { promptUsdPerMillion: 2.5, completionUsdPerMillion: 10 } }));
    const cfg = loadLlmConfig({ file: path, env: {} });
    assert.deepEqual(cfg.azure, { apiVersion: '2024-10-21', deployment: 'prod' });
    assert.deepEqual(cfg.pricing, { promptUsdPerMillion: 2.5, completionUsdPerMillion: 10 });
    const fromEnv = loadLlmConfig({ file: path, env: { KUBERNAUT_LLM_AZURE_API_VERSION: '2025-01-01-preview' } });
    assert.deepEqual(fromEnv.azure, { apiVersion: '2025-01-01-preview', deployment: 'prod' });
  });

  test('the key from a mounted Secret file, trimmed; an inline key of a higher layer wins', () => {
    const secret = file('sk-from-secret\n');
    const env = { KUBERNAUT_LLM_PROVIDER: 'openai', KUBERNAUT_LLM_MODEL: 'gpt-4o', KUBERNAUT_LLM_API_KEY_FILE: secret };
    assert.equal(loadLlmConfig({ env }).apiKey, 'sk-from-secret');
    assert.equal(loadLlmConfig({ env, overrides: { apiKey: 'sk-flag' } }).apiKey, 'sk-flag');
    // A key file in the environment beats an inline key in the file.
    const cfgFile = file('apiKey: from-file\n');
    assert.equal(loadLlmConfig({ file: cfgFile, env }).apiKey, 'sk-from-secret');
    // apiKeyFile in the config file.
    const viaFile = file(`provider: gemini\nmodel: gemini-2.5-flash\napiKeyFile: ${secret}\n`);
    assert.equal(loadLlmConfig({ file: viaFile, env: {} }).apiKey, 'sk-from-secret');
  });

  test('key file errors name the variable and the path', () => {
    const env = { KUBERNAUT_LLM_PROVIDER: 'openai', KUBERNAUT_LLM_MODEL: 'gpt-4o', KUBERNAUT_LLM_API_KEY_FILE: join(dir, 'absent') };
    throwsConfig(() => loadLlmConfig({ env }), /apiKeyFile \(environment KUBERNAUT_LLM_API_KEY_FILE\): cannot read .*absent \(ENOENT\)/);
    throwsConfig(() => loadLlmConfig({ env: { ...env, KUBERNAUT_LLM_API_KEY_FILE: file('  \n') } }), /is empty/);
  });

  test('vendor key variables are a fallback for their own provider only', () => {
    const base = { KUBERNAUT_LLM_MODEL: 'm' };
    assert.equal(loadLlmConfig({ env: { ...base, KUBERNAUT_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-o' } }).apiKey, 'sk-o');
    assert.equal(loadLlmConfig({ env: { ...base, KUBERNAUT_LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-a' } }).apiKey, 'sk-a');
    assert.equal(loadLlmConfig({ env: { ...base, KUBERNAUT_LLM_PROVIDER: 'gemini', GOOGLE_API_KEY: 'g' } }).apiKey, 'g');
    assert.equal(loadLlmConfig({ env: { ...base, KUBERNAUT_LLM_PROVIDER: 'gemini', GEMINI_API_KEY: 'gm', GOOGLE_API_KEY: 'g' } }).apiKey, 'gm');
    assert.equal(loadLlmConfig({ env: { ...base, KUBERNAUT_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-o', KUBERNAUT_LLM_API_KEY: 'sk-k' } }).apiKey, 'sk-k');
    // Never sent to an arbitrary compatible endpoint.
    const compatible = loadLlmConfig({ env: { ...base, KUBERNAUT_LLM_PROVIDER: 'vllm', OPENAI_API_KEY: 'sk-o' } });
    assert.equal(compatible.apiKey, undefined);
  });

  test('family members get their default endpoints and need no key', () => {
    const expected = { ollama: 'http://localhost:11434/v1', lmstudio: 'http://localhost:1234/v1', vllm: 'http://localhost:8000/v1', litellm: 'http://localhost:4000' };
    for (const [provider, endpoint] of Object.entries(expected)) {
      const cfg = loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: provider, KUBERNAUT_LLM_MODEL: 'llama3' } });
      assert.equal(cfg.endpoint, endpoint);
      assert.equal(cfg.apiKey, undefined);
    }
    assert.equal(loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'ollama', KUBERNAUT_LLM_MODEL: 'x', KUBERNAUT_LLM_ENDPOINT: 'http://gpu:11434/v1' } }).endpoint, 'http://gpu:11434/v1');
  });

  test('errors name the field and where the bad value came from', () => {
    const env = { KUBERNAUT_LLM_PROVIDER: 'openai', KUBERNAUT_LLM_MODEL: 'gpt-4o', KUBERNAUT_LLM_API_KEY: 'k' };
    throwsConfig(() => loadLlmConfig({ env: { ...env, KUBERNAUT_LLM_TEMPERATURE: 'hot' } }), /^temperature \(environment KUBERNAUT_LLM_TEMPERATURE\): .*number/);
    throwsConfig(() => loadLlmConfig({ env: { ...env, KUBERNAUT_LLM_MAX_RETRIES: '1.5' } }), /^maxRetries \(environment KUBERNAUT_LLM_MAX_RETRIES\)/);
    throwsConfig(() => loadLlmConfig({ env: { ...env, KUBERNAUT_LLM_PROVIDER: 'openia' } }), /^provider \(environment KUBERNAUT_LLM_PROVIDER\): .*openai-compatible/);
    throwsConfig(() => loadLlmConfig({ env: { ...env, KUBERNAUT_LLM_ENDPOINT: 'ftp://x' } }), /^endpoint \(environment KUBERNAUT_LLM_ENDPOINT\)/);
    const bad = file('timeoutSeconds: -1\n');
    throwsConfig(() => loadLlmConfig({ file: bad, env }), new RegExp(`^timeoutSeconds \\(file ${bad}\\)`));
    const typo = file('temprature: 0.1\n');
    throwsConfig(() => loadLlmConfig({ file: typo, env }), new RegExp(`^temprature \\(file ${typo}\\): unknown field`));
    throwsConfig(() => loadLlmConfig({ file: file('provider: [\n'), env }), /not valid YAML or JSON/);
    throwsConfig(() => loadLlmConfig({ file: join(dir, 'nope.yaml'), env }), /nope\.yaml: cannot read it/);
    throwsConfig(() => loadLlmConfig({ env, overrides: { temperature: 5 } }), /^temperature \(overrides\)/);
  });

  test('missing essentials say how to set them', () => {
    throwsConfig(() => loadLlmConfig({ env: {} }), /^provider: not set .*KUBERNAUT_LLM_PROVIDER.*--llm-provider/);
    throwsConfig(() => loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'anthropic' } }), /^model: not set .*KUBERNAUT_LLM_MODEL/);
    throwsConfig(() => loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'anthropic', KUBERNAUT_LLM_MODEL: 'claude' } }), /^apiKey: provider anthropic needs an API key .*KUBERNAUT_LLM_API_KEY_FILE.*ANTHROPIC_API_KEY/);
    throwsConfig(() => loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'openai-compatible', KUBERNAUT_LLM_MODEL: 'm' } }), /^endpoint: provider openai-compatible needs an endpoint/);
    throwsConfig(() => loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'azure-openai', KUBERNAUT_LLM_MODEL: 'm', KUBERNAUT_LLM_API_KEY: 'k' } }), /^endpoint: provider azure-openai/);
  });

  test('describeLlmConfig never shows the key', () => {
    const cfg = loadLlmConfig({ env: { KUBERNAUT_LLM_PROVIDER: 'anthropic', KUBERNAUT_LLM_MODEL: 'claude-x', KUBERNAUT_LLM_API_KEY: 'sk-ant-SECRET123' } });
    const line = describeLlmConfig(cfg);
    assert.doesNotMatch(line, /SECRET123/);
    assert.match(line, /provider=anthropic model=claude-x endpoint=https:\/\/api\.anthropic\.com apiKey=set/);
  });
});
