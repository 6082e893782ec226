/** PrometheusRule loading, the alerting state machine and Prometheus-style template rendering. */
export { toRuleSamples, type QueryFn, type ParseFn, type Sample, type QueryValue } from './types.ts';
export {
  loadPrometheusRule,
  describeProblem,
  problemEvent,
  DEFAULT_GROUP_INTERVAL_MS,
  type LoadResult,
  type LoadOptions,
  type RuleDefinition,
  type RuleGroupDefinition,
  type RuleProblem,
  type RuleRef,
  type RuleEvent,
} from './loader.ts';
export {
  AlertingRule,
  RecordingRule,
  BaseRule,
  labelsKey,
  RESOLVED_RETENTION_MS,
  type Alert,
  type AlertState,
  type Rule,
  type RuleHealth,
  type RuleOptions,
} from './alerting-rule.ts';
export { RuleGroup, type GroupOptions } from './group.ts';
export { expandTemplate, checkTemplate, templateFunctionNames, TemplateError, type TemplateInput } from './template.ts';
export { sprintf, formatFloatShortest, formatG, formatValue } from '../../platform/go-format.ts';
export { RESEND_DELAY_MS, FOR_GRACE_PERIOD_MS, FOR_OUTAGE_TOLERANCE_MS } from './prometheus-defaults.ts';
