/**
 * `kubernaut up --config <file>`: a kind cluster configuration (kind.x-k8s.io/v1alpha4 `Cluster`)
 * read as a plan for the embedded stack, so the file that creates a kind cluster for a scenario
 * also shapes the laptop's stack. `nodes` gives the simulated nodes, named as kind names them;
 * `extraPortMappings` whose containerPort is a Kubernaut NodePort (src/stack/node-ports.ts) put
 * that component on the hostPort. What kind does and the embedded cluster does not simulate
 * (networking, images, mounts, kubeadm patches...) is accepted and named once as ignored.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { componentOfNodePort, MAPPABLE_NODE_PORTS, NODE_PORTS, type NodePortComponent } from '../stack/node-ports.ts';

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';
const DEFAULT_CLUSTER_NAME = 'kind';

/** A config that cannot be used: the message says which file and what is wrong. */
export class KindConfigError extends Error {
  override name = 'KindConfigError';
}

const portNumber = z.number().int().min(0).max(65535);

const portMapping = z.object({
  containerPort: portNumber,
  hostPort: portNumber.optional(),
  listenAddress: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'tcp', 'udp', 'sctp']).optional(),
});

const node = z.looseObject({
  role: z.enum(['control-plane', 'worker']).default('control-plane'),
  extraPortMappings: z.array(portMapping).optional(),
});

const cluster = z.looseObject({
  kind: z.literal('Cluster'),
  apiVersion: z.literal(KIND_API_VERSION),
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (a DNS label)')
    .optional(),
  nodes: z.array(node).min(1).optional(),
});

/** Fields of kind's Cluster and Node the schema reads; everything else kind knows is ignored. */
const READ_CLUSTER_FIELDS = new Set(['kind', 'apiVersion', 'name', 'nodes']);
const READ_NODE_FIELDS = new Set(['role', 'extraPortMappings']);

export interface KindPlan {
  clusterName: string;
  /** Node names in kind's order and spelling: control planes first, then workers. */
  nodeNames: string[];
  /** Where each mapped component listens (the hostPort of its NodePort's mapping). */
  ports: Partial<Record<NodePortComponent, number>>;
  /** Mappings the stack cannot honour (unknown containerPort, UDP, a reserved port...). */
  warnings: string[];
  /** Fields of the config the embedded cluster does not simulate, e.g. `networking`, `nodes[0].image`. */
  ignored: string[];
}

/**
 * kind's node names: `<cluster>-control-plane`, `<cluster>-control-plane2`, ..., then
 * `<cluster>-worker`, `<cluster>-worker2`, ... (cluster `kind`: kind-control-plane, kind-worker).
 */
export function kindNodeNames(clusterName: string, roles: ReadonlyArray<'control-plane' | 'worker'>): string[] {
  const count = { 'control-plane': 0, worker: 0 };
  const ordered = [...roles.filter((r) => r === 'control-plane'), ...roles.filter((r) => r === 'worker')];
  return ordered.map((role) => {
    const n = ++count[role];
    return `${clusterName}-${role}${n === 1 ? '' : n}`;
  });
}

/** `--nodes N` in kind's terms: one control plane, N-1 workers. */
export function nodeNamesForCount(count: number, clusterName = DEFAULT_CLUSTER_NAME): string[] {
  return kindNodeNames(clusterName, Array.from({ length: count }, (_, i) => (i === 0 ? 'control-plane' : 'worker')));
}

export function parseKindConfig(text: string, source: string): KindPlan {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new KindConfigError(`${source} is not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new KindConfigError(`${source} is not a kind cluster configuration (expected kind: Cluster, apiVersion: ${KIND_API_VERSION})`);
  const { kind, apiVersion } = doc as Record<string, unknown>;
  if (kind !== 'Cluster' || apiVersion !== KIND_API_VERSION) {
    throw new KindConfigError(`${source} is a ${String(kind ?? 'document without kind')} of ${String(apiVersion ?? 'no apiVersion')}, not a kind cluster configuration (kind: Cluster, apiVersion: ${KIND_API_VERSION})`);
  }
  const parsed = cluster.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KindConfigError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const config = parsed.data;
  const nodes = config.nodes ?? [{ role: 'control-plane' as const }];
  if (!nodes.some((n) => n.role === 'control-plane')) throw new KindConfigError(`${source}: nodes: a kind cluster needs a control-plane node`);

  const ignored = Object.keys(config).filter((k) => !READ_CLUSTER_FIELDS.has(k));
  nodes.forEach((n, i) => ignored.push(...Object.keys(n).filter((k) => !READ_NODE_FIELDS.has(k)).map((k) => `nodes[${i}].${k}`)));

  const warnings: string[] = [];
  const ports: Partial<Record<NodePortComponent, number>> = {};
  nodes.forEach((n, i) =>
    (n.extraPortMappings ?? []).forEach((m, j) => {
      const where = `nodes[${i}].extraPortMappings[${j}]`;
      const component = componentOfNodePort(m.containerPort);
      if (!component) {
        warnings.push(`${where}: containerPort ${m.containerPort} is none of Kubernaut's NodePorts (${MAPPABLE_NODE_PORTS.map((c) => `${c} ${NODE_PORTS[c]}`).join(', ')}); ignored`);
      } else if (!MAPPABLE_NODE_PORTS.includes(component)) {
        warnings.push(`${where}: containerPort ${m.containerPort} (${component}) is reserved and not served by the embedded stack yet; ignored`);
      } else if (m.protocol && m.protocol.toUpperCase() !== 'TCP') {
        warnings.push(`${where}: ${component} speaks TCP, not ${m.protocol}; ignored`);
      } else if (ports[component] !== undefined) {
        warnings.push(`${where}: ${component} is already mapped to hostPort ${ports[component]}; ignored`);
      } else {
        // kind publishes a mapping without hostPort on the same port number.
        ports[component] = m.hostPort ?? m.containerPort;
        if (m.listenAddress !== undefined) ignored.push(`${where}.listenAddress`);
      }
    }),
  );
  const clusterName = config.name ?? DEFAULT_CLUSTER_NAME;
  return { clusterName, nodeNames: kindNodeNames(clusterName, nodes.map((n) => n.role)), ports, warnings, ignored };
}

export function loadKindConfig(file: string): KindPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KindConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseKindConfig(text, file);
}
