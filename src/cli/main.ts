/**
 * The `kubernaut` command line. Each command's modules are imported only when it runs, so
 * `--help`, `--version` and `wait` answer at once instead of loading the whole stack first.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../platform/clock.ts';
import { parseQuantity } from '../cluster/core/quantity.ts';
import { ALERTING_MODES, DEFAULT_ALERTMANAGER_PORT, DEFAULT_PROMETHEUS_PORT, type AlertingMode } from '../stack/alerting-modes.ts';
import { resolveDataDir } from './data-dir.ts';
import { COMPONENT_FLAGS, type Component } from './endpoints.ts';
import { ENDPOINT_NAMES } from './show-endpoints.ts';
import { AUTH_MODES } from './service-auth.ts';
import { CONTROLLER_NAMES, type ControllerName } from '../remediation/controller-names.ts';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** A size in bytes, as a Kubernetes quantity (`2Gi`, `500M`, `1073741824`). */
function byteSize(value: string): number {
  const q = parseQuantity(value);
  const bytes = q?.integerValue();
  if (bytes === undefined || bytes <= 0n || bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError('must be a positive size in bytes, e.g. 2Gi, 500Mi or 1073741824');
  return Number(bytes);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function nodeCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number of nodes (1-100)');
  return n;
}

/** `mount=1500ms,pull=600ms,start=300ms` or a single duration for all three (e.g. `0`). */
function kubeletDelays(value: string): { volumeMountMs: number; imagePullMs: number; containerStartMs: number } {
  const keys = { mount: 'volumeMountMs', pull: 'imagePullMs', start: 'containerStartMs' } as const;
  const parse = (text: string): number => {
    if (/^0+$/.test(text.trim())) return 0;
    try {
      return parseDuration(text.trim());
    } catch {
      throw new InvalidArgumentError(`"${text}" is not a duration (e.g. 500ms, 2s)`);
    }
  };
  if (!value.includes('=')) {
    const ms = parse(value);
    return { volumeMountMs: ms, imagePullMs: ms, containerStartMs: ms };
  }
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    const key = keys[k?.trim() as keyof typeof keys];
    if (!key || v === undefined) throw new InvalidArgumentError(`unknown kubelet delay "${part}" (use mount=, pull=, start=)`);
    out[key] = parse(v);
  }
  return out as { volumeMountMs: number; imagePullMs: number; containerStartMs: number };
}

function duration(value: string): number {
  try {
    const ms = parseDuration(value.trim());
    if (ms <= 0) throw new Error('not positive');
    return ms;
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a positive duration (e.g. 15s, 1m)`);
  }
}

function alertingMode(value: string): AlertingMode {
  if (!(ALERTING_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${ALERTING_MODES.join(', ')}`);
  return value as AlertingMode;
}

/** `job=url`, repeatable. */
function scrapeTarget(value: string, previous: Array<{ jobName: string; url: string }> = []): Array<{ jobName: string; url: string }> {
  const eq = value.indexOf('=');
  const jobName = value.slice(0, eq).trim();
  const url = value.slice(eq + 1).trim();
  if (eq <= 0 || !/^[a-zA-Z_][a-zA-Z0-9_-]*$/.test(jobName)) throw new InvalidArgumentError(`"${value}" is not job=url`);
  try {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('scheme');
  } catch {
    throw new InvalidArgumentError(`"${url}" is not an http(s) URL`);
  }
  return [...previous, { jobName, url }];
}

/** `--for gateway,datastorage` (repeatable); `all` or nothing means every component the stack runs. */
function components(value: string, previous: Component[] = []): Component[] {
  const byFlag = new Map(Object.entries(COMPONENT_FLAGS).map(([c, flag]) => [flag, c as Component]));
  const out = [...previous];
  for (const name of value.split(',').map((v) => v.trim())) {
    if (name === 'all') continue;
    const c = byFlag.get(name);
    if (!c) throw new InvalidArgumentError(`"${name}" is not one of all, ${[...byFlag.keys()].join(', ')}`);
    out.push(c);
  }
  return out;
}

/** A duration option whose default is shown as a duration (`30s`), not as milliseconds. */
function durationOption(flags: string, description: string, defaultText: string): Option {
  return new Option(flags, description).argParser(duration).default(duration(defaultText), defaultText);
}

/** `--auth` and `--token-file` of a Kubernaut service run alone; `rights`: what callers need on the kubernaut.ai group. */
function withAuthOptions(command: Command, rights: string): Command {
  return command
    .addOption(
      new Option('--auth <mode>', `tokenreview: require bearer tokens, checked with the cluster's TokenReview, and RBAC rights (SubjectAccessReview) on the kubernaut.ai group: ${rights}`)
        .choices(AUTH_MODES)
        .default('none'),
    )
    .option('--token-file <file>', 'also accept these static bearer tokens (kube-apiserver --token-auth-file CSV); with --auth none every listed user may do everything');
}

// Spelled out here rather than imported: --help must not load the LLM modules.
const LLM_PROVIDERS_HELP = 'openai-compatible, openai, azure-openai, anthropic, gemini, ollama, vllm, litellm, lmstudio';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command();
program.name('kubernaut').description('AIOps for Kubernetes: detect incidents and remediate them safely').version(version);

program
  .command('up')
  .description('run the whole embedded stack in the foreground: API server, control plane, DataStorage, Gateway, remediation controllers, investigator (with the offline mock LLM unless a model is configured) and alerting (kubectl can connect as soon as the API server is up; `kubernaut wait` waits for the rest)')
  .option('--data-dir <dir>', 'where state, kubeconfig, endpoints.json and logs/ live (default: $KUBERNAUT_HOME or ./.kubernaut)')
  .option('--port <n>', 'API server port (0 = a free port)', port, 0)
  .option('--host <addr>', 'address to listen on', '127.0.0.1')
  .option('--time-scale <n>', 'divide every waiting time of the stack by N (timestamps stay real)', positiveNumber, 1)
  .option('--ephemeral', 'keep cluster state in memory only')
  .option('--token-file <file>', 'static bearer tokens (kube-apiserver --token-auth-file format)')
  .option('--require-auth', 'reject requests without a valid bearer token')
  .option('--rbac', 'authorize requests with RBAC instead of allowing all')
  .option('--tls', 'serve HTTPS with a generated CA (kept under DIR/pki, trusted by the written kubeconfig)')
  .option('--watch-cache-size <n>', 'how many recent changes watches can resume from', positiveNumber)
  .option('--storage-quota <size>', 'refuse writes that would grow the stored cluster state beyond this, like etcd\'s quota (default 2Gi)', byteSize)
  .option('--nodes <n>', 'simulated nodes (kind-control-plane, kind-worker, kind-worker2, ...)', nodeCount, 1)
  .option('--kubelet-delays <spec>', 'simulated kubelet work in real time, not scaled: mount=1500ms,pull=600ms,start=300ms (or one duration for all; 0 = instant)', kubeletDelays)
  .option('--kube-state-metrics-port <n>', 'kube-state-metrics port (0 = a free port)', port, 0)
  .option('--no-control-plane', 'run the API server alone: no nodes, kubelets, scheduler or workload/storage controllers')
  .option('--gateway-port <n>', 'Gateway port (0 = a free port)', port, 0)
  .option('--no-gateway', 'do not run the Gateway')
  .option('--controllers-port <n>', 'metrics and health port of the remediation controllers (0 = a free port)', port, 0)
  .option('--no-controllers', 'do not run the remediation controllers (SignalProcessing, Orchestrator, AIAnalysis), e.g. to run `kubernaut controllers` on their own')
  .option('--only-controllers <names>', `run only these remediation controllers, comma-separated: ${CONTROLLER_NAMES.join(', ')} (default: all)`, controllerNames)
  .option('--dry-run', 'WorkflowExecutions run nothing and audit what would have run (per RR or namespace: kubernaut.ai/dry-run=true)')
  .option('--workflow-bundles <dir>', 'a folder of workflow bundles (or one bundle) the embedded kubelet runs for real, besides workflows/ (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--investigator-port <n>', 'investigator port (0 = a free port)', port, 0)
  .option('--no-investigator', 'do not run the investigator (nor the AIAnalysis controller, which needs it)')
  .option('--mock-llm-port <n>', 'port of the offline mock LLM started when no model is configured (0 = a free port)', port, 0)
  .option('--llm-config <file>', 'LLM settings (YAML/JSON: provider, model, endpoint, apiKey or apiKeyFile, temperature, timeoutSeconds, maxRetries); without any LLM setting the offline mock LLM is used')
  .option('--llm-provider <name>', `LLM provider: ${LLM_PROVIDERS_HELP}`)
  .option('--llm-model <name>', 'model name, e.g. gpt-4o or claude-sonnet-4-5')
  .option('--llm-endpoint <url>', 'base URL of the provider\'s API (OpenAI-compatible servers: the /v1 URL)')
  .option('--console-port <n>', 'console port (0 = a free port)', port, 0)
  .option('--no-console', 'do not serve the console (the web page of remediations and approvals; it also needs DataStorage)')
  .option('--datastorage-port <n>', 'DataStorage port (0 = a free port)', port, 0)
  .option('--no-datastorage', 'do not run DataStorage (audit events are then discarded)')
  .option('--database-url <url>', 'PostgreSQL for DataStorage instead of the embedded PGlite')
  .option('--cr-namespace <ns>', 'put every RemediationRequest and its children in this namespace instead of the target\'s')
  .option('--prometheus <mode>', 'alerting: embedded (rule evaluator + dispatcher in this process), external (configure and start the real prometheus and alertmanager binaries), none', alertingMode, 'embedded')
  .option('--prometheus-port <n>', `Prometheus API and /alerts page port (${DEFAULT_PROMETHEUS_PORT} falls back to a free port when taken; 0 = a free port)`, port, DEFAULT_PROMETHEUS_PORT)
  .option('--alertmanager-port <n>', `external Alertmanager port (${DEFAULT_ALERTMANAGER_PORT} falls back to a free port when taken)`, port, DEFAULT_ALERTMANAGER_PORT)
  .addOption(durationOption('--scrape-interval <d>', 'how often kube-state-metrics and --scrape-target are scraped (scaled by --time-scale)', '30s'))
  .addOption(durationOption('--evaluation-interval <d>', 'how often rule groups without their own interval are evaluated (scaled by --time-scale)', '30s'))
  .option('--scrape-target <job=url>', 'another /metrics endpoint to scrape (repeatable)', scrapeTarget)
  .option('--alertmanager-config <file>', 'Alertmanager YAML (route + webhook receivers) instead of sending every alert to the Gateway')
  .option('--prometheus-bin <path>', 'the prometheus binary for --prometheus external (default: prometheus on the PATH)')
  .option('--alertmanager-bin <path>', 'the alertmanager binary for --prometheus external (default: prometheus-alertmanager or alertmanager on the PATH)')
  .addOption(
    new Option('--log-format <format>', 'text: progress lines on stdout, structured logs in DIR/logs/kubernaut.log (warnings also on stderr); json: structured logs on stdout, progress lines on stderr')
      .choices(['text', 'json'])
      .default('text'),
  )
  .option('--config <file>', 'a kind cluster configuration (kind.x-k8s.io/v1alpha4): its nodes become the simulated nodes and its extraPortMappings of Kubernaut\'s NodePorts (Gateway 30080, alerts page 30190, console 30300) decide where those listen; flags given explicitly win')
  // One process for the cluster and the services (the layout before the services process): for comparison and debugging.
  .addOption(new Option('--single-process').hideHelp())
  .action(async (opts, command: Command) => {
    const { runUp } = await import('./up.ts');
    const explicitOptions = ['nodes', 'gatewayPort', 'prometheusPort', 'consolePort'].filter((name) => command.getOptionValueSource(name) === 'cli');
    await runUp({ ...opts, explicitOptions });
  });

// The services process `kubernaut up` forks (src/cli/services-child.ts); not for users.
program.command('__up-services', { hidden: true }).action(async () => {
  const { runServicesChild } = await import('./services-child.ts');
  await runServicesChild();
});

program
  .command('wait')
  .description('wait until the `kubernaut up` on the data dir is ready (every component, or those named by --for), reading its endpoints.json')
  .option('--data-dir <dir>', 'the data dir of the `kubernaut up` to wait for (default: $KUBERNAUT_HOME or ./.kubernaut)')
  .option('--for <components>', `what to wait for, comma-separated or repeated: all, ${Object.values(COMPONENT_FLAGS).join(', ')} (default: all)`, components)
  .addOption(durationOption('--timeout <d>', 'give up (exit 1) after this long', '2m'))
  .action(async (opts: { dataDir?: string; for?: Component[]; timeout: number }) => {
    const { runWait } = await import('./wait.ts');
    await runWait({ dataDir: resolveDataDir(opts.dataDir), for: opts.for ?? [], timeoutMs: opts.timeout });
  });

program
  .command('endpoints')
  .argument('[name]', `one of ${Object.keys(ENDPOINT_NAMES).join(', ')}: print just its URL`)
  .description('print where the components of the `kubernaut up` on the data dir listen (from its endpoints.json)')
  .option('--data-dir <dir>', 'the data dir of the `kubernaut up` (default: $KUBERNAUT_HOME or ./.kubernaut)')
  .action(async (name: string | undefined, opts: { dataDir?: string }) => {
    const { runShowEndpoints } = await import('./show-endpoints.ts');
    runShowEndpoints(resolveDataDir(opts.dataDir), name);
  });

const gatewayCommand = program
  .command('gateway')
  .description('run the Gateway alone against a cluster (signals in, RemediationRequests out)')
  .option('--kubeconfig <file>', 'cluster to talk to (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--port <n>', 'port', port, 8080)
  .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .option('--datastorage-url <url>', 'DataStorage base URL for the audit trail (without it, audit events are discarded)')
  .option('--datastorage-token-file <file>', 'bearer token for a DataStorage that requires one (read on every delivery, e.g. a projected ServiceAccount token)')
  .option('--audit-spill-dir <dir>', 'where audit events wait while DataStorage is unreachable')
  .option('--cr-namespace <ns>', 'put every RemediationRequest in this namespace instead of the target\'s')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1);
withAuthOptions(gatewayCommand, '`create` on `signals`')
  // The flag of earlier releases, kept working.
  .addOption(new Option('--token-review', 'same as --auth tokenreview').hideHelp().implies({ auth: 'tokenreview' }))
  .action(async (opts) => {
    const { runGateway } = await import('./services.ts');
    await runGateway(opts);
  });

const dataStorageCommand = program
  .command('datastorage')
  .description('run DataStorage alone (audit trail, workflow catalog, remediation history)')
  .option('--database-url <url>', 'PostgreSQL connection URL (default: embedded PGlite under --data-dir)')
  .option('--data-dir <dir>', 'where the embedded PGlite keeps its files (default: $KUBERNAUT_HOME or ./.kubernaut, /datastorage)')
  .option('--port <n>', 'port', port, 8085)
  .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .option('--kubeconfig <file>', 'cluster for --auth tokenreview (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--no-shipped-workflows', 'do not register the workflows/ shipped with Kubernaut')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1);
withAuthOptions(dataStorageCommand, '`create` / `get`,`list` on `auditevents`; `create`,`update`,`patch`,`delete` / `get`,`list` on `workflows`; `list` on `remediationhistories`')
  .action(async (opts) => {
    const { runDataStorage } = await import('./services.ts');
    await runDataStorage(opts);
  });

const alertingCommand = program
  .command('alerting')
  .description('run the embedded rule evaluator and dispatcher alone: scrape targets, evaluate the cluster\'s PrometheusRules, send alerts to the Gateway')
  .option('--kubeconfig <file>', 'cluster whose PrometheusRules to load (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--port <n>', 'Prometheus API and /alerts page port', port, DEFAULT_PROMETHEUS_PORT)
  .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .option('--scrape-target <job=url>', 'a /metrics endpoint to scrape, e.g. kube-state-metrics=http://kube-state-metrics:8080/metrics (repeatable)', scrapeTarget)
  .addOption(durationOption('--scrape-interval <d>', 'scrape interval', '30s'))
  .addOption(durationOption('--evaluation-interval <d>', 'default rule group interval', '30s'))
  .option('--gateway-url <url>', 'the Gateway base URL alerts are sent to')
  .option('--gateway-token-file <file>', 'bearer token sent with alerts to a Gateway that requires one (read at start)')
  .option('--alertmanager-config <file>', 'Alertmanager YAML (route + webhook receivers) instead of --gateway-url')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1);
withAuthOptions(alertingCommand, '`get` on `alerts`')
  .action(async (opts) => {
    const { runAlerting } = await import('./services.ts');
    await runAlerting(opts);
  });

/** `--only sp,ro` (repeatable). */
function controllerNames(value: string, previous: ControllerName[] = []): ControllerName[] {
  const out = [...previous];
  for (const name of value.split(',').map((v) => v.trim()).filter(Boolean)) {
    if (!(CONTROLLER_NAMES as readonly string[]).includes(name)) throw new InvalidArgumentError(`"${name}" is not one of ${CONTROLLER_NAMES.join(', ')}`);
    if (!out.includes(name as ControllerName)) out.push(name as ControllerName);
  }
  return out;
}

program
  .command('controllers')
  .description('run Kubernaut\'s remediation controllers (SignalProcessing, RemediationOrchestrator, AIAnalysis, WorkflowExecution, EffectivenessMonitor, Notification) against a cluster, each under its own Lease')
  .option('--kubeconfig <file>', 'cluster to talk to (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--only <names>', `the controllers to run, comma-separated: ${CONTROLLER_NAMES.join(', ')} (default: all)`, controllerNames)
  .option('--namespace <ns>', 'the controller namespace: Leases, policy ConfigMaps, RemediationRequests of cluster-scoped targets', 'kubernaut-system')
  .option('--datastorage-url <url>', 'DataStorage base URL: audit trail and remediation history (without it, audit events are discarded and history is the live RemediationRequests only)')
  .option('--datastorage-token-file <file>', 'bearer token for a DataStorage that requires one (read on every use)')
  .option('--investigator-url <url>', 'the investigator the AIAnalysis controller submits analyses to (without it, aa does not run)')
  .option('--investigator-token-file <file>', 'bearer token for the investigator (read on every use)')
  .option('--workflow-namespace <ns>', 'where workflow Jobs run', 'kubernaut-workflows')
  .option('--dry-run', 'WorkflowExecution runs nothing and audits what would have run (per RR: annotation kubernaut.ai/dry-run=true; per namespace: the same label)')
  .option('--prometheus-url <url>', 'Prometheus HTTP API the EffectivenessMonitor reads metrics from')
  .option('--alertmanager-url <url>', 'Alertmanager API (v2) the EffectivenessMonitor checks alert resolution with')
  .option('--alerting-token-file <file>', 'bearer token for --prometheus-url and --alertmanager-url (read on every use)')
  .option('--audit-spill-dir <dir>', 'where audit events wait while DataStorage is unreachable')
  .option('--port <n>', 'metrics and health port', port, 8081)
  .option('--host <addr>', 'address the metrics endpoint listens on (0.0.0.0 for every interface)', '127.0.0.1')
  .option('--no-leader-elect', 'act without holding the Lease (only when exactly one instance runs)')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1)
  .action(async (opts) => {
    const { runControllers } = await import('./controllers.ts');
    await runControllers({ ...opts, only: opts.only?.length ? opts.only : [...CONTROLLER_NAMES] });
  });

const investigatorCommand = program
  .command('investigator')
  .description('run the investigator alone: the LLM agent that finds the root cause of an incident and picks a catalog workflow (HTTP API for the AIAnalysis controller)')
  .option('--kubeconfig <file>', 'cluster the read-only tools look at (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--port <n>', 'port', port, 8080)
  .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .requiredOption('--datastorage-url <url>', 'DataStorage base URL: workflow catalog, remediation history, audit trail')
  .option('--datastorage-token-file <file>', 'bearer token for a DataStorage that requires one (read on every use)')
  .option('--audit-spill-dir <dir>', 'where audit events wait while DataStorage is unreachable')
  .option('--prometheus-url <url>', 'Prometheus HTTP API the PromQL tools query (the embedded alerting or any Prometheus)')
  .option('--llm-config <file>', 'LLM settings (YAML/JSON: provider, model, endpoint, apiKey or apiKeyFile, temperature, timeoutSeconds, maxRetries); KUBERNAUT_LLM_* variables override it')
  .option('--llm-provider <name>', `LLM provider: ${LLM_PROVIDERS_HELP}`)
  .option('--llm-model <name>', 'model name')
  .option('--llm-endpoint <url>', 'base URL of the provider\'s API')
  .option('--time-scale <n>', 'divide every waiting time by N', positiveNumber, 1);
withAuthOptions(investigatorCommand, '`create` / `get` on `investigations`')
  .action(async (opts) => {
    const { runInvestigator } = await import('./investigator.ts');
    await runInvestigator(opts);
  });

program
  .command('console')
  .description('run the console alone against a cluster: the web page where people follow remediations live, approve or reject, and read the audit trail (every user signs in)')
  .option('--kubeconfig <file>', 'cluster to watch (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
  .option('--port <n>', 'port', port, 8080)
  .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .requiredOption('--datastorage-url <url>', 'DataStorage base URL: audit trail, workflow catalog, remediation history')
  .option('--datastorage-token-file <file>', 'bearer token for a DataStorage that requires one (read on every use)')
  .option('--alerting-url <url>', 'a Prometheus-compatible API base (the embedded alerting or any Prometheus) whose /api/v1/alerts the Alerts page lists')
  .addOption(new Option('--prometheus-url <url>', 'same as --alerting-url').hideHelp())
  .option('--alerting-token-file <file>', 'bearer token for --alerting-url (read on every use)')
  .option('--alerts-page-url <url>', 'the alerting\'s own alerts page, linked from the Alerts page (default: <alerting-url>/alerts)')
  .addOption(
    new Option('--auth <mode>', 'tokenreview: users sign in with bearer tokens the cluster checks (TokenReview) and act within their RBAC (SubjectAccessReview: list remediationrequests to read, update remediationapprovalrequests/status to decide); static: only the --token-file tokens, each such user allowed everything')
      .choices(['tokenreview', 'static'])
      .default('tokenreview'),
  )
  .option('--token-file <file>', 'static bearer tokens (kube-apiserver --token-auth-file CSV): required with --auth static, accepted besides TokenReview otherwise')
  .option('--secure-cookies', 'mark the session cookie Secure (set when the console is reached over HTTPS, e.g. behind an ingress)')
  .action(async (opts) => {
    const { runConsole } = await import('./console.ts');
    await runConsole(opts);
  });

program
  .command('mock-llm')
  .description('run the deterministic offline mock LLM: an OpenAI-compatible chat-completions server with tool calling that investigates from tool results (for demos and tests)')
  .option('--port <n>', 'port', port, 8089)
  .option('--host <addr>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
  .option('--faults <spec>', 'fault injection for tests, comma-separated: malformed_json_once, wrong_parameter_once, unknown_workflow_once, low_confidence, no_answer, http_500_once, http_429_once, delay_ms=N')
  .option('--report-usage', 'include an estimated `usage` in answers (by default none, as some servers do)')
  .action(async (opts) => {
    const { runMockLlm } = await import('./mock-llm.ts');
    await runMockLlm(opts);
  });

program
  .command('watch')
  .description('stream changes of RemediationRequests and their children in one table with their printer columns: what `kubectl get rr,sp,aa,we,ea -w` would show if kubectl allowed -w with several kinds (also `kubectl kubernaut watch`)')
  .option('-n, --namespace <ns>', 'namespace to watch (default: the kubeconfig context\'s, else default)')
  .option('-A, --all-namespaces', 'watch every namespace')
  .option('--kinds <list>', 'kinds to watch, comma-separated: rr, sp, aa, we, ea, rar, notif, rw or all', 'rr,sp,aa,we,ea')
  .option('-o, --output <format>', 'wide: also the printer columns kubectl shows only with -o wide')
  .option('--timestamps', 'start each line with the time the change was seen')
  .option('--output-watch-events', 'start each line with the event: ADDED, MODIFIED or DELETED')
  .option('--watch-only', 'print only changes, not the current objects first')
  .option('--kubeconfig <file>', 'cluster to watch (default: $KUBECONFIG, else the embedded stack\'s kubeconfig in $KUBERNAUT_HOME or ./.kubernaut, else ~/.kube/config or in-cluster)')
  .option('--context <name>', 'the kubeconfig context to use')
  .option('--data-dir <dir>', 'watch the `kubernaut up` of this data dir (its kubeconfig)')
  .action(async (opts) => {
    const { runWatch } = await import('./watch.ts');
    await runWatch(opts);
  });

program
  .command('demo')
  .argument('[scenario]', 'the scenario to run (default: statefulset-pvc-failure; --list shows them all)')
  .description('run a scenario end to end on its own time-scaled embedded stack: deploy, inject the fault, follow the remediation on a live timeline, check every acceptance criterion (exit 0 only when all hold)')
  .option('--list', 'list the scenarios')
  .option('--data-dir <dir>', 'the demo stack\'s data dir, wiped at start (default: $KUBERNAUT_HOME/demo or ./.kubernaut/demo)')
  .option('--time-scale <n>', 'divide Kubernaut\'s waiting times by N (default 60; 10 with --interactive)', positiveNumber)
  .option('--realtime', 'no time scaling: the alert waits its full for window (3 minutes)')
  .option('--interactive', 'wait for a person to approve or reject (kubernaut approve|reject) instead of approving automatically')
  .option('--keep', 'leave the stack running afterwards for exploring (until Ctrl-C)')
  .option('--timeout <d>', 'give up (exit 1) after this long (default: scaled to the time scale)', duration)
  // Bad usage exits 2, as the demo documents (1 means a criterion did not hold).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .action(async (scenario: string | undefined, opts) => {
    const { runDemoCommand } = await import('../demo/cli.ts');
    process.exitCode = await runDemoCommand(scenario, opts);
  });

for (const verb of ['approve', 'reject'] as const) {
  program
    .command(verb)
    .argument('<remediation-request>', 'the RemediationRequest whose approval request to decide')
    .description(`${verb} the pending RemediationApprovalRequest of a RemediationRequest, recorded with who decided (the user the cluster authenticates)`)
    .option('-n, --namespace <ns>', 'namespace of the RemediationRequest (default: the kubeconfig context\'s, else default)')
    .option('--kubeconfig <file>', 'cluster to talk to (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-m, --message <text>', 'why (kept in the decision)')
    .action(async (rr: string, opts: { namespace?: string; kubeconfig?: string; message?: string }) => {
      const { runDecision } = await import('./approval.ts');
      process.exitCode = await runDecision(verb === 'approve' ? 'Approved' : 'Rejected', rr, opts);
    });
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // A data dir that cannot be loaded is the user's to fix: say which file and why, not where in our code.
  if ((e as Error)?.name !== 'DataDirError') throw e;
  process.stderr.write(`kubernaut: ${(e as Error).message}\n`);
  process.exit(1);
}
