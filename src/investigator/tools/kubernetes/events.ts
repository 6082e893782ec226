/**
 * `kubectl_events`: the events of one object or of a namespace, oldest to newest, as the table
 * `kubectl events` prints (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE), the newest 50 at most.
 */
import { z } from 'zod';
import { ToolError, type ToolDefinition } from '../types.ts';
import { kindArg, nameArg, namespaceArg } from './args.ts';
import { KubeReader, toToolError } from './client.ts';
import { eventInterval, sortEvents, type CoreEvent } from './describe/writer.ts';
import { resolveKind } from './kinds.ts';
import { TABLE_TABS, alignTabs } from './tabwriter.ts';

const args = z.strictObject({ namespace: namespaceArg, kind: kindArg.optional(), name: nameArg.optional() });

export const MAX_EVENTS = 50;
/** Events read from the server at most before sorting (a namespace can hold many). */
const MAX_LISTED = 5000;

export const kubectlEventsTool: ToolDefinition<z.output<typeof args>> = {
  name: 'kubectl_events',
  description: 'Events in a namespace, or of one object when kind and/or name are given, oldest to newest (the newest 50), like kubectl events.',
  args,
  async run({ namespace, kind: kindText, name }, ctx) {
    const reader = new KubeReader(ctx.deps.kubeconfig, ctx.signal);
    const fields: string[] = [];
    if (kindText) {
      // Events name the kind as the object's Kind (Pod, not pods); any kind's events are readable.
      const kind = await resolveKind(kindText, ctx.deps, ctx.signal).catch((e) => {
        if (e instanceof ToolError) return undefined;
        throw e;
      });
      fields.push(`involvedObject.kind=${kind?.kind ?? kindText}`);
    }
    if (name) fields.push(`involvedObject.name=${name}`);
    let events: CoreEvent[];
    try {
      events = await reader.list<CoreEvent>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { fieldSelector: fields.join(',') || undefined }, MAX_LISTED);
    } catch (e) {
      return toToolError(e, `events in namespace "${namespace}"`);
    }
    return formatEvents(events, ctx.deps.clock.nowMs(), { namespace, kind: kindText, name });
  },
};

export function formatEvents(events: CoreEvent[], nowMs: number, query: { namespace: string; kind?: string; name?: string }): string {
  if (events.length === 0) {
    const what = query.kind || query.name ? ` for ${query.kind ?? '*'}/${query.name ?? '*'}` : '';
    return `No events found in ${query.namespace} namespace${what}.`;
  }
  const sorted = sortEvents(events);
  const shown = sorted.slice(-MAX_EVENTS);
  const lines = ['LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE'];
  for (const e of shown) {
    const object = `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`;
    lines.push([eventInterval(e, nowMs), e.type ?? '', e.reason ?? '', object, oneLine((e.message ?? '').trim())].join('\t'));
  }
  const table = alignTabs(`${lines.join('\n')}\n`, TABLE_TABS);
  return shown.length < sorted.length ? `${table}(the newest ${shown.length} of ${sorted.length} events)\n` : table;
}

const oneLine = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');
