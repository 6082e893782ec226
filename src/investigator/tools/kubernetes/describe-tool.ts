/** `kubectl_describe`: kubectl-style describe text of one object, ending with its recent events. */
import { z } from 'zod';
import type { ToolDefinition } from '../types.ts';
import { kindArg, nameArg, namespaceArg } from './args.ts';
import { KubeReader } from './client.ts';
import { describeObject } from './describe/index.ts';
import { readObject, scopeOf } from './get.ts';
import { resolveKind } from './kinds.ts';

const args = z.strictObject({ kind: kindArg, name: nameArg, namespace: namespaceArg.optional() });

export const kubectlDescribeTool: ToolDefinition<z.output<typeof args>> = {
  name: 'kubectl_describe',
  description: 'kubectl describe of one object: status, containers and their states, volumes, conditions, and its recent events. The best first look at a failing Pod, workload or claim.',
  args,
  async run({ kind: kindText, name, namespace }, ctx) {
    const reader = new KubeReader(ctx.deps.kubeconfig, ctx.signal);
    const kind = await resolveKind(kindText, ctx.deps, ctx.signal);
    const ns = scopeOf(kind, namespace);
    const obj = await readObject(reader, kind, name, ns);
    return describeObject(obj, kind, { reader, nowMs: ctx.deps.clock.nowMs() });
  },
};
