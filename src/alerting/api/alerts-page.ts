/**
 * The /alerts page users open during the demo: one self-contained, server-rendered HTML document
 * (no scripts, no external assets) that reloads itself every 5 s. Every value that comes from a
 * rule, a label or an annotation is escaped: annotations are templated from scraped labels, so
 * they are untrusted text.
 */
import { formatPromDuration } from '../prometheus-duration.ts';
import type { Alert, AlertState, AlertingRule } from '../rules/alerting-rule.ts';
import type { RuleGroup } from '../rules/group.ts';
import type { RuleProblem } from '../rules/loader.ts';
import { formatSampleValue, promTime } from './format.ts';
import { ruleFile } from './rules-view.ts';

export interface AlertsPageInput {
  groups: RuleGroup[];
  problems: RuleProblem[];
  nowMs: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Builds HTML from a template literal, escaping every interpolated value unless it is {@link Html}. */
class Html {
  constructor(readonly text: string) {}
}

function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

function labelChips(labels: Record<string, string>): Html {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return html`<span class="muted">none</span>`;
  return html`${keys.map((k) => html`<span class="chip">${k}="${labels[k]}"</span>`)}`;
}

function annotationList(annotations: Record<string, string>): Html {
  const keys = Object.keys(annotations).sort();
  if (keys.length === 0) return html`<span class="muted">none</span>`;
  return html`<dl>${keys.map((k) => html`<dt>${k}</dt><dd>${annotations[k]}</dd>`)}</dl>`;
}

function stateBadge(state: AlertState): Html {
  return html`<span class="badge ${state}">${state}</span>`;
}

function alertRow(a: Alert): Html {
  return html`<tr>
<td>${labelChips(a.labels)}</td><td>${stateBadge(a.state)}</td><td>${promTime(a.activeAt)}</td>
<td>${formatSampleValue(a.value)}</td><td>${annotationList(a.annotations)}</td></tr>`;
}

function ruleSection(r: AlertingRule): Html {
  const state = r.state();
  const alerts = r.activeAlerts();
  const firing = alerts.filter((a) => a.state === 'firing').length;
  const pending = alerts.length - firing;
  return html`<section class="rule ${state}">
<h3>${stateBadge(state)} ${r.name} <span class="muted">(${firing} firing, ${pending} pending)</span></h3>
<table class="def">
<tr><th>expr</th><td><code>${r.def.expr}</code></td></tr>
<tr><th>for</th><td>${formatPromDuration(r.def.forMs)}</td></tr>
${r.def.keepFiringForMs > 0 ? html`<tr><th>keep_firing_for</th><td>${formatPromDuration(r.def.keepFiringForMs)}</td></tr>` : ''}
<tr><th>labels</th><td>${labelChips(r.def.labels)}</td></tr>
<tr><th>health</th><td>${r.health}${r.lastError ? html` <span class="error">${r.lastError}</span>` : ''}</td></tr>
</table>
${
  alerts.length > 0
    ? html`<table class="alerts"><tr><th>labels</th><th>state</th><th>active since</th><th>value</th><th>annotations</th></tr>${alerts.map(alertRow)}</table>`
    : ''
}
</section>`;
}

function groupSection(g: RuleGroup): Html {
  const rules = g.alertingRules();
  return html`<section class="group">
<h2>${ruleFile(g.def.source)} &gt; ${g.def.name} <span class="muted">every ${formatPromDuration(g.def.intervalMs)}, last evaluated ${g.lastEvaluation ? promTime(g.lastEvaluation) : 'never'}</span></h2>
${rules.length > 0 ? rules.map(ruleSection) : html`<p class="muted">no alerting rules in this group</p>`}
</section>`;
}

function problemsSection(problems: RuleProblem[]): Html {
  if (problems.length === 0) return html``;
  return html`<section class="problems"><h2>Rejected rules (${problems.length})</h2>
<table><tr><th>PrometheusRule</th><th>group</th><th>rule</th><th>problem</th></tr>
${problems.map((p) => html`<tr><td>${ruleFile(p.source)}</td><td>${p.group ?? ''}</td><td>${p.rule ?? ''}</td><td class="error">${p.message}</td></tr>`)}
</table></section>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{margin:0 0 .3em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.5em}h3{font-size:1em;margin:.6em 0}
.muted{color:#777;font-weight:normal;font-size:.9em}.summary span{margin-right:1em}
.badge{display:inline-block;padding:.05em .5em;border-radius:.3em;color:#fff;font-size:.85em;text-transform:uppercase}
.badge.inactive{background:#2e7d32}.badge.pending{background:#ef8f00}.badge.firing{background:#c62828}
.rule{border-left:4px solid #2e7d32;padding:.2em .8em;margin:.8em 0;background:#fafafa}
.rule.pending{border-color:#ef8f00;background:#fff8e6}.rule.firing{border-color:#c62828;background:#fdecea}
table{border-collapse:collapse;margin:.3em 0}th,td{text-align:left;vertical-align:top;padding:.2em .6em;border-bottom:1px solid #e4e4e4}
.chip{display:inline-block;background:#e8eaf6;border-radius:.3em;padding:0 .4em;margin:.1em;font-family:monospace;font-size:.85em}
code{white-space:pre-wrap}dl{margin:0}dt{font-weight:bold}dd{margin:0 0 .3em 1em;white-space:pre-wrap}.error{color:#c62828}`;

export function renderAlertsPage(input: AlertsPageInput): string {
  const rules = input.groups.flatMap((g) => g.alertingRules());
  const count = (s: AlertState) => rules.filter((r) => r.state() === s).length;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Kubernaut alerts</title><style>${new Html(STYLE)}</style></head>
<body><h1>Alerts</h1>
<p class="summary"><span>${stateBadge('inactive')} ${count('inactive')}</span><span>${stateBadge('pending')} ${count('pending')}</span><span>${stateBadge('firing')} ${count('firing')}</span>
<span class="muted">as of ${promTime(new Date(input.nowMs))}, refreshes every 5s</span></p>
${input.groups.length > 0 ? input.groups.map(groupSection) : html`<p class="muted">No rule groups loaded.</p>`}
${problemsSection(input.problems)}
</body></html>
`;
  return page.text;
}
