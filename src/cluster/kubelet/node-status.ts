/**
 * What a kind node's kubelet writes about itself: labels, spec fields it owns, capacity, the
 * four conditions, addresses, endpoints and system info. Pure functions; the node agent decides
 * when to write them.
 */
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { NodeConfig } from './config.ts';

export const KUBELET_VERSION = 'v1.32.2';
export const CONTAINER_RUNTIME_VERSION = 'containerd://1.7.24';

export function nodeArch(): string {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

/** Labels the kubelet sets on registration (and re-asserts on restart); others are left alone. */
export function kubeletLabels(node: NodeConfig): Record<string, string> {
  const arch = nodeArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...(node.name.includes('control-plane') ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    ...(node.labels ?? {}),
  };
}

/** Capacity from the node config, else from the host this process runs on. */
export function nodeCapacity(node: NodeConfig): Record<string, string> {
  return {
    cpu: String(os.cpus().length || 1),
    'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: '110',
    ...(node.capacity ?? {}),
  };
}

interface ConditionSpec {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** The conditions a healthy kubelet reports, in upstream's order. */
export const HEALTHY_CONDITIONS: ConditionSpec[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The node's conditions as of `now`: the heartbeat always moves, the transition time only when
 * the status differs from what the node showed before. Conditions owned by others are kept.
 */
export function nodeConditions(previous: any[] | undefined, now: string): any[] {
  const prev = new Map((previous ?? []).map((c: any) => [c.type, c]));
  const ours = HEALTHY_CONDITIONS.map((c) => {
    const old = prev.get(c.type);
    return {
      type: c.type,
      status: c.status,
      lastHeartbeatTime: now,
      lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now,
      reason: c.reason,
      message: c.message,
    };
  });
  const others = (previous ?? []).filter((c: any) => !HEALTHY_CONDITIONS.some((h) => h.type === c.type));
  return [...ours, ...others];
}

/** Stable per node name, like /etc/machine-id of a kind container. */
function machineId(name: string): string {
  return createHash('sha256').update(`machine-id:${name}`).digest('hex').slice(0, 32);
}

function systemUuid(name: string): string {
  const h = createHash('sha256').update(`system-uuid:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A new boot ID per kubelet process start. */
export const BOOT_ID = randomUUID();

export function nodeInfo(name: string): Record<string, string> {
  return {
    architecture: nodeArch(),
    bootID: BOOT_ID,
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kernelVersion: os.release(),
    kubeProxyVersion: KUBELET_VERSION,
    kubeletVersion: KUBELET_VERSION,
    machineID: machineId(name),
    operatingSystem: 'linux',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    systemUUID: systemUuid(name),
  };
}

/** The full status the kubelet posts (conditions computed against the previous ones). */
export function nodeStatus(
  node: NodeConfig,
  opts: { port: number; previousConditions?: any[]; images: Array<{ names: string[]; sizeBytes: number }>; now: string },
): Record<string, unknown> {
  const capacity = nodeCapacity(node);
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(opts.previousConditions, opts.now),
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: node.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: opts.port } },
    nodeInfo: nodeInfo(node.name),
    images: opts.images,
  };
}
