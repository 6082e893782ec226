/** `kubectl describe` of ConfigMaps, Secrets (sizes only, never values) and Namespaces. */
import { rfc1123z } from '../format.ts';
import { canonicalQuantity } from '../quantity.ts';
import type { KubeObject } from '../client.ts';
import { eventsOf, type DescribeContext } from './context.ts';
import { DescribeWriter, cmp, printAnnotations, printEvents, printLabels, type Writer } from './writer.ts';

type Json = any;

/** Keys sorted (kubectl's order is Go's random map order); each value printed in full. */
export async function describeConfigMap(cm: KubeObject, ctx: DescribeContext): Promise<string> {
  const events = await eventsOf(ctx, cm, 'ConfigMap');
  const w = new DescribeWriter();
  w.write(0, `Name:\t${cm.metadata.name}\n`);
  w.write(0, `Namespace:\t${cm.metadata.namespace ?? ''}\n`);
  printLabels(w, 'Labels', cm.metadata.labels);
  printAnnotations(w, 'Annotations', cm.metadata.annotations);
  w.write(0, '\nData\n====\n');
  const data: Record<string, string> = cm.data ?? {};
  for (const k of Object.keys(data).sort(cmp)) {
    w.write(0, `${k}:\n----\n`);
    w.write(0, `${data[k]}\n`);
    w.write(0, '\n');
  }
  w.write(0, '\nBinaryData\n====\n');
  const binary: Record<string, string> = cm.binaryData ?? {};
  for (const k of Object.keys(binary).sort(cmp)) w.write(0, `${k}: ${Buffer.from(binary[k], 'base64').length} bytes\n`);
  w.write(0, '\n');
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

/** Secret describe shows each key's size only, and no events (as kubectl). */
export async function describeSecret(secret: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${secret.metadata.name}\n`);
  w.write(0, `Namespace:\t${secret.metadata.namespace ?? ''}\n`);
  printLabels(w, 'Labels', secret.metadata.labels);
  printAnnotations(w, 'Annotations', secret.metadata.annotations);
  w.write(0, `\nType:\t${secret.type ?? ''}\n`);
  w.write(0, '\nData\n====\n');
  const data: Record<string, string> = secret.data ?? {};
  for (const k of Object.keys(data).sort(cmp)) w.write(0, `${k}:\t${Buffer.from(data[k], 'base64').length} bytes\n`);
  return w.toString();
}

export async function describeNamespace(ns: KubeObject, ctx: DescribeContext): Promise<string> {
  const name = encodeURIComponent(ns.metadata.name);
  const [quotas, limitRanges] = await Promise.all([ctx.reader.listOrEmpty(`/api/v1/namespaces/${name}/resourcequotas`), ctx.reader.listOrEmpty(`/api/v1/namespaces/${name}/limitranges`)]);
  const w = new DescribeWriter();
  w.write(0, `Name:\t${ns.metadata.name}\n`);
  printLabels(w, 'Labels', ns.metadata.labels);
  printAnnotations(w, 'Annotations', ns.metadata.annotations);
  w.write(0, `Status:\t${ns.status?.phase ?? ''}\n`);
  const conditions: Json[] = ns.status?.conditions ?? [];
  if (conditions.length) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t------------------\t------\t-------\n');
    for (const c of conditions) w.write(1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ''}\t${c.message ?? ''}\n`);
  }
  w.write(0, '\n');
  describeQuotas(w, quotas);
  w.write(0, '\n');
  describeLimitRanges(w, limitRanges);
  return w.toString();
}

function describeQuotas(w: Writer, quotas: KubeObject[]): void {
  if (quotas.length === 0) {
    w.write(0, 'No resource quota.\n');
    return;
  }
  w.write(0, 'Resource Quotas\n');
  for (const q of [...quotas].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    w.write(1, `Name:\t${q.metadata.name}\n`);
    const scopes: string[] = [...(q.spec?.scopes ?? [])].sort(cmp);
    if (scopes.length) w.write(1, `Scopes:\t${scopes.join(', ')}\n`);
    w.write(1, 'Resource\tUsed\tHard\n');
    w.write(1, '--------\t---\t---\n');
    const hard: Record<string, string> = q.status?.hard ?? {};
    const used: Record<string, string> = q.status?.used ?? {};
    for (const r of Object.keys(hard).sort(cmp)) w.write(1, `${r}\t${canonicalQuantity(used[r] ?? '0')}\t${canonicalQuantity(hard[r])}\n`);
  }
}

function describeLimitRanges(w: Writer, ranges: KubeObject[]): void {
  if (ranges.length === 0) {
    w.write(0, 'No LimitRange resource.\n');
    return;
  }
  w.write(0, 'Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n');
  w.write(0, ' ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      const names = new Set<string>();
      for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) for (const k of Object.keys(item[f] ?? {})) names.add(k);
      for (const r of [...names].sort(cmp)) {
        const v = (f: string): string => (item[f]?.[r] === undefined ? '-' : canonicalQuantity(item[f][r]));
        w.write(0, ` ${item.type}\t${r}\t${v('min')}\t${v('max')}\t${v('defaultRequest')}\t${v('default')}\t${v('maxLimitRequestRatio')}\n`);
      }
    }
  }
}
