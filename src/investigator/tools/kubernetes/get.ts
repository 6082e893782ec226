/** `kubectl_get`: one object as YAML, without bookkeeping fields and never with Secret values. */
import { stringify } from 'yaml';
import { z } from 'zod';
import { ToolError, type ToolDefinition } from '../types.ts';
import { kindArg, nameArg, namespaceArg } from './args.ts';
import { KubeReader, toToolError, type KubeObject } from './client.ts';
import { isSecret, pathOf, resolveKind, type ResolvedKind } from './kinds.ts';
import { withoutNoise, withoutSecretValues } from './sanitize.ts';

const args = z.strictObject({ kind: kindArg, name: nameArg, namespace: namespaceArg.optional() });

/** The namespace a read uses: required for namespaced kinds, ignored for cluster-scoped ones. */
export function scopeOf(kind: ResolvedKind, namespace: string | undefined): string | undefined {
  if (!kind.namespaced) return undefined;
  if (!namespace) throw new ToolError(`${kind.kind} is namespaced: pass namespace`);
  return namespace;
}

export function objectLabel(kind: ResolvedKind, name: string, namespace: string | undefined): string {
  return `${kind.kind} "${name}"${namespace ? ` in namespace "${namespace}"` : ''}`;
}

/** Reads one object of a readable kind; a ToolError when it is missing or forbidden. */
export async function readObject(reader: KubeReader, kind: ResolvedKind, name: string, namespace: string | undefined): Promise<KubeObject> {
  try {
    return await reader.json<KubeObject>(pathOf(kind, namespace, name));
  } catch (e) {
    return toToolError(e, objectLabel(kind, name, namespace));
  }
}

export const kubectlGetTool: ToolDefinition<z.output<typeof args>> = {
  name: 'kubectl_get',
  description: 'One Kubernetes object as YAML (spec and status), like kubectl get -o yaml. Secret values are never shown.',
  args,
  async run({ kind: kindText, name, namespace }, ctx) {
    const reader = new KubeReader(ctx.deps.kubeconfig, ctx.signal);
    const kind = await resolveKind(kindText, ctx.deps, ctx.signal);
    const ns = scopeOf(kind, namespace);
    let obj = withoutNoise(await readObject(reader, kind, name, ns));
    if (isSecret(kind)) obj = withoutSecretValues(obj);
    return stringify(obj, { sortMapEntries: true, lineWidth: 0, indentSeq: false });
  },
};
