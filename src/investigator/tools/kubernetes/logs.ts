/**
 * `kubectl_logs`: the tail of a container's log, current or previous instance. Which container,
 * and whether there is a previous instance, is checked against the Pod first so the LLM gets an
 * answer it can act on (the container names, the restart count) rather than a bare 400.
 */
import { z } from 'zod';
import { ToolError, type ToolDefinition } from '../types.ts';
import { containerArg, nameArg, namespaceArg } from './args.ts';
import { KubeReader, toToolError, type KubeObject } from './client.ts';

export const DEFAULT_TAIL_LINES = 200;
export const MAX_TAIL_LINES = 2000;
/** Bytes asked of the server at most, whatever the line count. */
const LIMIT_BYTES = 1024 * 1024;

const args = z.strictObject({
  namespace: namespaceArg,
  pod: nameArg,
  container: containerArg.optional(),
  previous: z.boolean().optional().describe('the instance before the last restart (after a crash or OOM kill)'),
  tail_lines: z.number().int().min(1).max(MAX_TAIL_LINES).optional().describe(`lines from the end, default ${DEFAULT_TAIL_LINES}, at most ${MAX_TAIL_LINES}`),
});

type Json = any;

export const kubectlLogsTool: ToolDefinition<z.output<typeof args>> = {
  name: 'kubectl_logs',
  description: 'The last lines of a Pod container log (previous=true: the instance that crashed or was killed before the current one).',
  args,
  async run({ namespace, pod: podName, container, previous, tail_lines }, ctx) {
    const reader = new KubeReader(ctx.deps.kubeconfig, ctx.signal);
    const podPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`;
    const pod = await reader.json<KubeObject>(podPath).catch((e) => toToolError(e, `Pod "${podName}" in namespace "${namespace}"`));
    const chosen = chooseContainer(pod, container);
    if (previous) requirePreviousInstance(pod, chosen);
    const tail = tail_lines ?? DEFAULT_TAIL_LINES;
    let text: string;
    try {
      text = await reader.text(`${podPath}/log`, { container: chosen, previous: previous ? 'true' : undefined, tailLines: tail, limitBytes: LIMIT_BYTES });
    } catch (e) {
      return toToolError(e, `the log of container "${chosen}" of Pod "${podName}"`);
    }
    if (text === '') return `(container "${chosen}" of Pod "${podName}" has written no log lines${previous ? ' in its previous instance' : ''})`;
    // The byte limit can leave more lines than asked for (or a cut first line); keep the last `tail`.
    const lines = text.replace(/\n$/, '').split('\n');
    return `${lines.slice(-tail).join('\n')}\n`;
  },
};

function containerNames(pod: KubeObject): { main: string[]; init: string[]; ephemeral: string[] } {
  const names = (list: Json[] | undefined): string[] => (list ?? []).map((c) => String(c.name));
  return { main: names(pod.spec?.containers), init: names(pod.spec?.initContainers), ephemeral: names(pod.spec?.ephemeralContainers) };
}

function listing(pod: KubeObject): string {
  const { main, init } = containerNames(pod);
  return `${main.join(', ')}${init.length ? ` (init containers: ${init.join(', ')})` : ''}`;
}

function chooseContainer(pod: KubeObject, container: string | undefined): string {
  const { main, init, ephemeral } = containerNames(pod);
  if (container) {
    if ([...main, ...init, ...ephemeral].includes(container)) return container;
    throw new ToolError(`Pod "${pod.metadata.name}" has no container "${container}"; its containers: ${listing(pod)}`);
  }
  if (main.length === 1) return main[0];
  throw new ToolError(`Pod "${pod.metadata.name}" has ${main.length} containers: pass container, one of: ${listing(pod)}`);
}

function requirePreviousInstance(pod: KubeObject, container: string): void {
  const statuses: Json[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === container);
  if (status?.lastState?.terminated) return;
  throw new ToolError(
    `container "${container}" of Pod "${pod.metadata.name}" has no previous instance (restart count ${status?.restartCount ?? 0}); call kubectl_logs without previous for its current log`,
  );
}
