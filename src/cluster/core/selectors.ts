/**
 * Label selectors: the text form of `labelSelector` query parameters, and the object form
 * (`matchLabels`/`matchExpressions`) used in specs.
 */

/** A label selector's text does not parse; the API server answers it with 400 Bad Request. */
export class SelectorSyntaxError extends Error {}

type Requirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`. Throws SelectorSyntaxError on bad syntax. */
export function parseLabelSelector(text: string): LabelSelector {
  const reqs: Requirement[] = [];
  const src = text.trim();
  let i = 0;
  const skipWs = () => {
    while (i < src.length && src[i] === ' ') i++;
  };
  const ident = (): string => {
    skipWs();
    const m = /^[A-Za-z0-9._\-/]*/.exec(src.slice(i))![0];
    i += m.length;
    return m;
  };
  const fail = (why: string): never => {
    throw new SelectorSyntaxError(`unable to parse requirement: ${why} (selector "${text}")`);
  };
  while (i < src.length) {
    skipWs();
    if (src[i] === '!') {
      i++;
      const key = ident();
      if (!key) fail('missing key after "!"');
      reqs.push({ key, op: '!exists' });
    } else {
      const key = ident();
      if (!key) fail('found unexpected character');
      skipWs();
      const rest = src.slice(i);
      let m: RegExpExecArray | null;
      if ((m = /^(notin|in)\s*\(/.exec(rest))) {
        i += m[0].length;
        const close = src.indexOf(')', i);
        if (close < 0) fail('missing ")"');
        const values = src
          .slice(i, close)
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
        i = close + 1;
        reqs.push({ key, op: m[1] as 'in' | 'notin', values });
      } else if ((m = /^(==|!=|=|>|<)/.exec(rest))) {
        i += m[0].length;
        const value = ident();
        if (m[1] === '>' || m[1] === '<') {
          if (!/^-?\d+$/.test(value)) fail(`for 'gt', 'lt' operators, the value must be an integer`);
          reqs.push({ key, op: m[1] === '>' ? 'gt' : 'lt', value: Number(value) });
        } else reqs.push({ key, op: m[1] === '!=' ? '!=' : '=', value });
      } else {
        reqs.push({ key, op: 'exists' });
      }
    }
    skipWs();
    if (i < src.length) {
      if (src[i] !== ',') fail(`found '${src[i]}', expected: ',' or end of string`);
      i++;
    }
  }
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && v === r.value;
    case '!=':
      return !has || v !== r.value;
    case 'in':
      return has && r.values.includes(v);
    case 'notin':
      return !has || !r.values.includes(v);
    case 'gt':
      return has && /^-?\d+$/.test(v) && Number(v) > r.value;
    case 'lt':
      return has && /^-?\d+$/.test(v) && Number(v) < r.value;
  }
}

/** The object form (`matchLabels` + `matchExpressions`) used in specs; an empty one matches all. */
export function matchesLabelSelectorObject(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The string form of a label selector object, as the scale subresource reports it. */
export function formatLabelSelector(selector: any): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {}).sort()) parts.push(`${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
