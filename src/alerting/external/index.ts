/**
 * `--prometheus external` (issue 4): the real Prometheus and Alertmanager instead of the embedded
 * evaluator and Dispatcher, with configs rendered from the same inputs.
 *
 * ```ts
 * const alerting = await startExternalAlerting({
 *   kubeconfig, clock, dataDir, host: '127.0.0.1', prometheusPort: 9190, alertmanagerPort: 9093,
 *   targets: [{ jobName: 'kube-state-metrics', url: cluster.kubeStateMetricsUrl }],
 *   scrapeIntervalMs: 30_000, evaluationIntervalMs: 30_000,          // nominal: divided by clock.timeScale
 *   routing: defaultGatewayRouting(gatewayUrl),                       // or parseAlertmanagerYaml(file)
 * });
 * alerting.prometheusUrl; alerting.alertmanagerUrl;                  // undefined when the binary is missing
 * await alerting.close();                                            // SIGTERM, SIGKILL after 5 s
 * ```
 */
export { startExternalAlerting, type ExternalAlerting, type ExternalAlertingOptions } from './launcher.ts';
export { renderPrometheusConfig, type PrometheusConfigInput, type ScrapeTargetSpec } from './prometheus-config.ts';
export { renderRuleFile, ruleFileName, RuleFiles, type RuleFileOutcome, type RuleFilesOptions } from './rule-files.ts';
export { resolveBinaries, findOnPath, type ResolvedBinaries } from './binaries.ts';
export { checkRulesFile, checkConfigFile, type CheckResult } from './promtool.ts';
export { formatPromDuration, parsePromDuration, scaledDuration } from '../prometheus-duration.ts';
export { choosePort } from './ports.ts';
