// Ways to show server data as text: facts and key/value lists (<dl>), label chips, times,
// parameter tables, scrollable <pre> blocks. Nothing here interprets a string as markup.
import type { ComponentChildren } from 'preact';
import { formatTime } from '../format.ts';

/** Fact lists skip absent values, so a page shows what is known and nothing else. */
export type Fact = [label: string, value: ComponentChildren];

export function Facts(props: { facts: Fact[]; class?: string }) {
  const shown = props.facts.filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false);
  if (shown.length === 0) return null;
  return (
    <dl class={`facts ${props.class ?? ''}`}>
      {shown.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Labels, annotations and the like: keys in monospace, values as text. */
export function KeyValues(props: { values: Record<string, unknown> | undefined; empty?: string; testid?: string }) {
  const entries = Object.entries(props.values ?? {});
  if (entries.length === 0) return <p class="muted">{props.empty ?? 'None'}</p>;
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-testid={props.testid} data-key={props.testid ? k : undefined}>
            {v === '' ? <span class="muted">(empty)</span> : Array.isArray(v) ? v.join(', ') : String(v)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Chips(props: { values: Record<string, unknown> | undefined }) {
  const entries = Object.entries(props.values ?? {});
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="chips">
      {entries.map(([k, v]) => (
        <li key={k}>
          {k}={Array.isArray(v) ? v.join('|') : String(v)}
        </li>
      ))}
    </ul>
  );
}

export function Time(props: { at: string | undefined; now?: number }) {
  if (!props.at) return <span class="muted">—</span>;
  return (
    <time dateTime={props.at} title={props.at}>
      {formatTime(props.at, props.now)}
    </time>
  );
}

/** A table in a horizontally scrollable box; region: the box is a focusable landmark (long tables). */
export function DataTable(props: { caption: string; columns: string[]; compact?: boolean; region?: boolean; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={props.region ? 0 : undefined} role={props.region ? 'region' : undefined} aria-label={props.region ? props.caption : undefined}>
      <table class={props.compact ? 'compact' : 'list'}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function ParamsTable(props: { params: Record<string, string> | undefined; caption: string }) {
  const entries = Object.entries(props.params ?? {});
  if (entries.length === 0) return <p class="muted">No parameters</p>;
  return (
    <DataTable caption={props.caption} columns={['Parameter', 'Value']} compact>
      {entries.map(([k, v]) => (
        <tr key={k}>
          <th scope="row" class="mono">
            {k}
          </th>
          <td class="mono">{v}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Logs and tool output: focusable so the keyboard can scroll them. */
export function Pre(props: { text: string; label: string }) {
  return (
    <pre tabIndex={0} aria-label={props.label}>
      {props.text}
    </pre>
  );
}

/** An <h2>/<h3>/<h4> chosen by the caller, so a card keeps the heading order wherever it is placed. */
export function Heading(props: { level: number; id?: string; class?: string; children: ComponentChildren }) {
  const p = { id: props.id, class: props.class };
  if (props.level <= 2) return <h2 {...p}>{props.children}</h2>;
  if (props.level === 3) return <h3 {...p}>{props.children}</h3>;
  return <h4 {...p}>{props.children}</h4>;
}
