/**
 * `npm run eval`: runs the evaluation fixtures (eval/fixtures/) through the real investigator against
 * the mock LLM (default) or a configured provider, and prints a table of pass rates, tokens, turns,
 * tool calls, latency and cost. Exits 1 when a fixture fails against the mock or a replay (they must
 * all pass), or when a fixture's cluster state could not be set up. See eval/README.md.
 */
import './quiet.ts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadLlmConfig, LLM_PROVIDERS, type LlmConfig } from '../src/investigator/llm/index.ts';
import { fixtureNodes } from './cluster.ts';
import { loadFixtures, type Fixture } from './fixture.ts';
import { runFixtures } from './harness.ts';
import { formatPipelineTable, managedNodes, pipelineFixtures, runPipelineFixtures } from './pipeline.ts';
import { startPipelineServices } from './pipeline-stack.ts';
import { fixturePassed, formatTable, summarize } from './report.ts';
import { startEvalStack } from './stack.ts';

const positiveNumber = (what: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};
const positiveInt = (what: string) => (v: string) => {
  const n = positiveNumber(what)(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be a whole number`);
  return n;
};

const program = new Command('npm run eval --')
  .description('Run the investigator over the evaluation fixtures and grade the answers.')
  .addOption(new Option('--provider <name>', 'LLM provider (default: the built-in mock LLM)').choices([...LLM_PROVIDERS]))
  .option('--model <name>', 'model name for --provider')
  .option('--endpoint <url>', 'API endpoint for --provider (default: the provider\'s own)')
  .option('--api-key-env <variable>', 'environment variable holding the API key')
  .option('--llm-config <file>', 'an LLM config file (YAML/JSON, as for the investigator); flags override it')
  .option('--price-prompt <usd>', 'USD per million prompt tokens, for the cost column', positiveNumber('--price-prompt'))
  .option('--price-completion <usd>', 'USD per million completion tokens, for the cost column', positiveNumber('--price-completion'))
  .option('--runs <n>', 'investigations per fixture', positiveInt('--runs'), 1)
  .option('--fixture <id...>', 'only these fixtures (repeatable)')
  .option('--record <dir>', 'save each run\'s LLM conversation as <dir>/<fixture>.run<N>.json')
  .option('--replay <dir>', 'answer each run from <dir>/<fixture>.run<N>.json instead of a live model')
  .option('--rename [seed]', 'rewrite every fixture\'s namespace, workload, node and alert names first (proves nothing keys on them)')
  .option('--time-scale <n>', 'divide the cluster\'s waits (back-offs, grace periods) by n', positiveNumber('--time-scale'), 10)
  .option('--concurrency <n>', 'fixtures set up at once (default: all with the mock, 2 with a provider)', positiveInt('--concurrency'))
  .option('--pipeline', 'run every fixture that expects a workflow through the whole pipeline (Gateway to EffectivenessAssessment) instead of the investigator alone')
  .option('--no-prometheus', 'do not run the embedded Prometheus API for the PromQL tools')
  .option('--timeout <seconds>', 'limit for one investigation', positiveNumber('--timeout'), 600);

program.parse();
const opts = program.opts<{
  provider?: string;
  model?: string;
  endpoint?: string;
  apiKeyEnv?: string;
  llmConfig?: string;
  pricePrompt?: number;
  priceCompletion?: number;
  runs: number;
  fixture?: string[];
  record?: string;
  replay?: string;
  rename?: string | boolean;
  timeScale: number;
  concurrency?: number;
  prometheus: boolean;
  timeout: number;
  pipeline?: boolean;
}>();

function fail(message: string): never {
  console.error(`eval: ${message}`);
  process.exit(2);
}

if (opts.pipeline && (opts.record || opts.replay || opts.runs !== 1)) fail('--pipeline takes no --record, --replay or --runs');
if (opts.record && opts.replay) fail('--record and --replay exclude each other');
if (opts.replay && (opts.provider || opts.llmConfig)) fail('--replay answers from transcripts; it takes no provider');

let llm: LlmConfig | undefined;
const liveProvider = !!(opts.provider || opts.llmConfig);
if (liveProvider) {
  let apiKey: string | undefined;
  if (opts.apiKeyEnv) {
    apiKey = process.env[opts.apiKeyEnv];
    if (!apiKey) fail(`--api-key-env ${opts.apiKeyEnv}: that variable is not set`);
  }
  const pricing = opts.pricePrompt !== undefined || opts.priceCompletion !== undefined ? { promptUsdPerMillion: opts.pricePrompt ?? 0, completionUsdPerMillion: opts.priceCompletion ?? 0 } : undefined;
  try {
    llm = loadLlmConfig({ file: opts.llmConfig, overrides: { provider: opts.provider as LlmConfig['provider'] | undefined, model: opts.model, endpoint: opts.endpoint, apiKey, pricing } });
  } catch (e) {
    fail((e as Error).message);
  }
}

let fixtures: Fixture[];
try {
  const rename = opts.rename === undefined ? undefined : { seed: typeof opts.rename === 'string' ? opts.rename : 'eval' };
  fixtures = loadFixtures({ only: opts.fixture, rename });
} catch (e) {
  fail((e as Error).message);
}

if (opts.pipeline) {
  fixtures = pipelineFixtures(fixtures);
  if (!fixtures.length) fail('none of these fixtures expects a workflow');
}

const started = Date.now();
if (opts.pipeline) process.exit(await runPipeline(fixtures));
const stack = await startEvalStack({ timeScale: opts.timeScale, nodes: fixtureNodes(fixtures), llm, prometheus: opts.prometheus });
const modelName = opts.replay ? `replay of ${opts.replay}` : `${stack.llmConfig.provider} ${stack.llmConfig.model}${liveProvider ? '' : ' (mock LLM)'}`;
console.log(`eval: ${fixtures.length} fixture(s) x ${opts.runs} run(s) against ${modelName}, cluster time scale ${opts.timeScale}`);
let exitCode = 0;
try {
  const reports = await runFixtures(stack, fixtures, {
    runs: opts.runs,
    concurrency: opts.concurrency ?? (liveProvider ? 2 : undefined),
    record: opts.record,
    replay: opts.replay,
    setupTimeoutMs: 180_000,
    investigationTimeoutMs: opts.timeout * 1000,
    progress: (id, message) => console.log(`  ${id}: ${message}`),
  });
  const summaries = reports.map(summarize);
  console.log(`\n${formatTable(summaries, `Results (${modelName}; ${((Date.now() - started) / 1000).toFixed(0)} s)`)}`);
  if (opts.record) console.log(`\ntranscripts saved in ${opts.record}`);
  const setupFailed = reports.some((r) => r.setupError);
  const anyFailed = summaries.some((s) => !fixturePassed(s));
  if (setupFailed || (anyFailed && !liveProvider)) exitCode = 1;
} finally {
  await stack.close();
}
process.exit(exitCode);

/** `--pipeline`: Gateway to EffectivenessAssessment for every fixture; 1 when any fails. */
async function runPipeline(selected: Fixture[]): Promise<number> {
  const stack = await startEvalStack({ timeScale: opts.timeScale, nodes: managedNodes(fixtureNodes(selected)), llm, prometheus: opts.prometheus, alertmanagerApi: true });
  try {
    const services = await startPipelineServices(stack);
    try {
      const modelName = `${stack.llmConfig.provider} ${stack.llmConfig.model}${liveProvider ? '' : ' (mock LLM)'}`;
      console.log(`eval --pipeline: ${selected.length} fixture(s) from alert to effectiveness assessment against ${modelName}, cluster time scale ${opts.timeScale}`);
      const reports = await runPipelineFixtures(stack, services, selected, {
        concurrency: opts.concurrency,
        setupTimeoutMs: 180_000,
        remediationTimeoutMs: opts.timeout * 1000,
        progress: (id, message) => console.log(`  ${id}: ${message}`),
      });
      console.log(`\n${formatPipelineTable(reports, `Pipeline results (${modelName}; ${((Date.now() - started) / 1000).toFixed(0)} s)`)}`);
      return reports.every((r) => r.passed) ? 0 : 1;
    } finally {
      await services.close();
    }
  } finally {
    await stack.close();
  }
}
