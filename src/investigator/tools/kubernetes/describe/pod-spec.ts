/**
 * The parts of a pod spec kubectl describes the same way wherever they appear (a Pod, or the pod
 * template of a workload): containers with their state, probes, environment and mounts, and
 * volumes. `space` is the extra indentation of a pod template ('  ') versus a Pod ('').
 */
import { canonicalQuantity, milliValue, parseQuantity, unitValue } from '../quantity.ts';
import { rfc1123z, selectorString } from '../format.ts';
import { NestedWriter, cmp, printAnnotations, printLabels, printTolerations, type Writer } from './writer.ts';
import type { KubeObject } from '../client.ts';

type Json = any;

/** Resolves a `fieldRef` env value of a Pod. */
export type EnvResolver = (fieldPath: string) => string;

/**
 * kubectl resolves only the field paths it can convert as field-selector labels and then read
 * from object metadata: the Pod's name and namespace. Everything else prints empty.
 */
export function podEnvResolver(pod: KubeObject): EnvResolver {
  return (fieldPath) => {
    if (fieldPath === 'metadata.name') return pod.metadata.name;
    if (fieldPath === 'metadata.namespace') return pod.metadata.namespace ?? '';
    return '';
  };
}

export function describeContainers(w: Writer, label: string, containers: Json[] | undefined, statuses: Json[] | undefined, resolve: EnvResolver | undefined, space: string): void {
  const list = containers ?? [];
  w.write(0, `${space}${label}:${list.length === 0 ? ' <none>' : ''}\n`);
  const byName = new Map<string, Json>((statuses ?? []).map((s: Json) => [s.name, s]));
  for (const c of list) {
    w.write(1, `${space ? ' ' : ''}${c.name}:\n`);
    const status = statuses ? byName.get(c.name) : undefined;
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID ?? ''}\n`);
    const ports = (c.ports ?? []).map((p: Json) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${ports || '<none>'}\n`);
    const hostPorts = (c.ports ?? []).map((p: Json) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
    w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${hostPorts || '<none>'}\n`);
    const seccomp = c.securityContext?.seccompProfile;
    if (seccomp) {
      w.write(2, `SeccompProfile:\t${seccomp.type}\n`);
      if (seccomp.type === 'Localhost') w.write(2, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
    }
    printLines(w, 'Command', c.command);
    printLines(w, 'Args', c.args);
    if (status) {
      printState(w, 'State', status.state);
      if (status.lastState?.terminated) printState(w, 'Last State', status.lastState);
      w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    printResources(w, c.resources);
    for (const [title, probe] of [
      ['Liveness', c.livenessProbe],
      ['Readiness', c.readinessProbe],
      ['Startup', c.startupProbe],
    ] as const) {
      if (probe) w.write(2, `${title}:\t${describeProbe(probe)}\n`);
    }
    if (c.envFrom?.length) printEnvFrom(w, c.envFrom);
    printEnv(w, c, resolve);
    printMounts(w, c);
  }
}

function printLines(w: Writer, title: string, values: string[] | undefined): void {
  if (!values?.length) return;
  w.write(2, `${title}:\n`);
  for (const v of values) for (const part of String(v).split('\n')) w.write(3, `${part}\n`);
}

function printState(w: Writer, title: string, state: Json): void {
  if (state?.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.waiting) {
    w.write(2, `${title}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (t.signal > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
  }
}

function printResources(w: Writer, resources: Json): void {
  for (const [title, list] of [
    ['Limits', resources?.limits],
    ['Requests', resources?.requests],
  ] as const) {
    const names = Object.keys(list ?? {}).sort(cmp);
    if (names.length === 0) continue;
    w.write(2, `${title}:\n`);
    for (const name of names) w.write(3, `${name}:\t${canonicalQuantity(list[name])}\n`);
  }
}

/** `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3` and the like. */
export function describeProbe(p: Json): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const port = g.port === undefined || g.port === null ? '' : String(g.port);
    const host = g.host ?? '';
    const hostPort = port ? (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`) : host;
    const scheme = String(g.scheme ?? '').toLowerCase();
    const path = g.path ?? '';
    const url = `${scheme ? `${scheme}:` : ''}${hostPort || scheme ? `//${hostPort}` : ''}${path && !path.startsWith('/') && hostPort ? `/${path}` : path}`;
    return `http-get ${url} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function printEnvFrom(w: Writer, envFrom: Json[]): void {
  w.write(2, 'Environment Variables from:\n');
  for (const e of envFrom) {
    const ref = e.configMapRef ?? e.secretRef;
    const from = e.configMapRef ? 'ConfigMap' : e.secretRef ? 'Secret' : '';
    const optional = ref?.optional === true;
    const source = e.prefix ? `${from} with prefix '${e.prefix}'` : from;
    w.write(3, `${ref?.name ?? ''}\t${source}\tOptional: ${optional}\n`);
  }
}

function printEnv(w: Writer, c: Json, resolve: EnvResolver | undefined): void {
  const env: Json[] = c.env ?? [];
  w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const from = e.valueFrom;
    if (!from) {
      String(e.value ?? '')
        .split('\n')
        .forEach((part, i) => w.write(3, i === 0 ? `${e.name}:\t${part}\n` : `\t${part}\n`));
    } else if (from.fieldRef) {
      const value = resolve ? resolve(from.fieldRef.fieldPath) : '';
      w.write(3, `${e.name}:\t${value} (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`);
    } else if (from.resourceFieldRef) {
      const resource = from.resourceFieldRef.resource;
      let value = resourceFieldValue(c, from.resourceFieldRef);
      if (value === '0' && (resource === 'limits.cpu' || resource === 'limits.memory')) value = 'node allocatable';
      w.write(3, `${e.name}:\t${value} (${resource})\n`);
    } else if (from.secretKeyRef) {
      w.write(3, `${e.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>\tOptional: ${from.secretKeyRef.optional === true}\n`);
    } else if (from.configMapKeyRef) {
      w.write(3, `${e.name}:\t<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>\tOptional: ${from.configMapKeyRef.optional === true}\n`);
    }
  }
}

/**
 * The value a resourceFieldRef exposes: the container's own request or limit divided by the
 * divisor (default 1), rounded up; CPU in whole cores unless the divisor says otherwise.
 */
function resourceFieldValue(c: Json, ref: Json): string {
  const [section, name] = String(ref.resource ?? '').split('.');
  const q = parseQuantity(c.resources?.[section]?.[name]);
  if (!q) return '0';
  const divisor = parseQuantity(ref.divisor);
  const hasDivisor = divisor !== undefined && divisor.nanos !== 0n;
  if (name === 'cpu') {
    const per = hasDivisor ? milliValue(divisor) : 1000;
    return String(Math.ceil(milliValue(q) / per));
  }
  const per = hasDivisor ? unitValue(divisor) : 1;
  return String(Math.ceil(unitValue(q) / per));
}

function printMounts(w: Writer, c: Json): void {
  const mounts: Json[] = [...(c.volumeMounts ?? [])].sort((a, b) => cmp(a.mountPath ?? '', b.mountPath ?? ''));
  w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
  for (const m of mounts) {
    const flags = [m.readOnly ? 'ro' : 'rw'];
    if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
  const devices: Json[] = [...(c.volumeDevices ?? [])].sort((a, b) => cmp(a.devicePath ?? '', b.devicePath ?? ''));
  if (devices.length > 0) {
    w.write(2, 'Devices:\n');
    for (const d of devices) w.write(3, `${d.devicePath} from ${d.name}\n`);
  }
}

export function describeVolumes(w: Writer, volumes: Json[] | undefined, space: string): void {
  if (!volumes?.length) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? ' ' : ''}${v.name}:\n`);
    describeVolumeSource(w, v);
  }
}

/** The `Type:` line and fields of one volume source (also a PersistentVolume's `Source:`). */
export function describeVolumeSource(w: Writer, v: Json): void {
  if (v.hostPath) {
    w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path ?? ''}\n    HostPathType:\t${v.hostPath.type ?? ''}\n`);
  } else if (v.emptyDir) {
    const limit = v.emptyDir.sizeLimit && canonicalQuantity(v.emptyDir.sizeLimit) !== '0' ? canonicalQuantity(v.emptyDir.sizeLimit) : '<unset>';
    w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${limit}\n`);
  } else if (v.secret) {
    w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ''}\n    Optional:\t${v.secret.optional === true}\n`);
  } else if (v.configMap) {
    w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ''}\n    Optional:\t${v.configMap.optional === true}\n`);
  } else if (v.persistentVolumeClaim) {
    w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${v.persistentVolumeClaim.readOnly === true}\n`);
  } else if (v.projected) {
    w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    for (const s of v.projected.sources ?? []) {
      if (s.secret) w.write(2, `SecretName:\t${s.secret.name ?? ''}\n    SecretOptionalName:\t${optionalPtr(s.secret.optional)}\n`);
      else if (s.downwardAPI) w.write(2, 'DownwardAPI:\ttrue\n');
      else if (s.configMap) w.write(2, `ConfigMapName:\t${s.configMap.name ?? ''}\n    ConfigMapOptional:\t${optionalPtr(s.configMap.optional)}\n`);
      else if (s.serviceAccountToken) w.write(2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 3600}\n`);
    }
  } else if (v.downwardAPI) {
    w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
    for (const item of v.downwardAPI.items ?? []) {
      if (item.fieldRef) w.write(3, `${item.fieldRef.fieldPath} -> ${item.path}\n`);
      if (item.resourceFieldRef) w.write(3, `${item.resourceFieldRef.resource} -> ${item.path}\n`);
    }
  } else if (v.ephemeral) {
    w.write(2, 'Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n');
    const t = v.ephemeral.volumeClaimTemplate;
    if (t) printClaimTemplate(new NestedWriter(w, 2), t);
  } else if (v.csi) {
    w.write(2, `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${v.csi.driver}\n    FSType:\t${v.csi.fsType ?? ''}\n`);
    if (v.csi.volumeHandle !== undefined) w.write(2, `VolumeHandle:\t${v.csi.volumeHandle}\n`);
    w.write(2, `ReadOnly:\t${v.csi.readOnly === true}\n`);
    printAttributes(w, v.csi.volumeAttributes);
  } else if (v.nfs) {
    w.write(2, `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${v.nfs.server}\n    Path:\t${v.nfs.path}\n    ReadOnly:\t${v.nfs.readOnly === true}\n`);
  } else if (v.local) {
    w.write(2, `Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t${v.local.path}\n`);
  } else {
    const type = Object.keys(v).find((k) => k !== 'name');
    w.write(1, type ? `<unknown> (${type})\n` : '<unknown>\n');
  }
}

/** A claim template inside a volume, as kubectl prints a claim that is not a full PVC. */
function printClaimTemplate(w: Writer, t: Json): void {
  w.write(0, `StorageClass:\t${t.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? t.spec?.storageClassName ?? ''}\n`);
  w.write(0, `Volume:\t${t.spec?.volumeName ?? ''}\n`);
  printLabels(w, 'Labels', t.metadata?.labels);
  printAnnotations(w, 'Annotations', t.metadata?.annotations);
  const bound = Boolean(t.spec?.volumeName);
  w.write(0, `Capacity:\t${bound ? canonicalQuantity(t.status?.capacity?.storage ?? '0') : ''}\n`);
  w.write(0, `Access Modes:\t${bound ? (t.status?.accessModes ?? []).join(',') : ''}\n`);
  if (t.spec?.volumeMode) w.write(0, `VolumeMode:\t${t.spec.volumeMode}\n`);
  if (t.spec?.dataSource) {
    w.write(0, 'DataSource:\n');
    if (t.spec.dataSource.apiGroup) w.write(1, `APIGroup:\t${t.spec.dataSource.apiGroup}\n`);
    w.write(1, `Kind:\t${t.spec.dataSource.kind}\n`);
    w.write(1, `Name:\t${t.spec.dataSource.name}\n`);
  }
}

/** Go's `%v` of a *bool: `<nil>` when unset. */
const optionalPtr = (v: unknown): string => (v === undefined || v === null ? '<nil>' : String(v));

function printAttributes(w: Writer, attributes: Record<string, string> | undefined): void {
  w.write(2, 'VolumeAttributes:\t');
  const keys = Object.keys(attributes ?? {}).sort();
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((k, i) => {
    if (i > 0) {
      w.write(2, '');
      w.write(2, '\t');
    }
    const line = `${k}=${attributes![k]}`;
    w.write(2, `${line.length > 140 ? `${line.slice(0, 140)}...` : line}\n`);
  });
}

/** `topology.kubernetes.io/zone:DoNotSchedule when max skew 1 is exceeded for selector app=x`, one per line. */
export function describeTopologySpread(w: Writer, constraints: Json[] | undefined, space: string): void {
  if (!constraints?.length) return;
  const list = [...constraints].sort((a, b) => cmp(a.topologyKey ?? '', b.topologyKey ?? ''));
  w.write(0, `${space}Topology Spread Constraints:\t`);
  list.forEach((c, i) => {
    if (i > 0) w.write(0, `${space}\t`);
    const selector = c.labelSelector ? ` for selector ${selectorString(c.labelSelector)}` : '';
    w.write(0, `${c.topologyKey}:${c.whenUnsatisfiable} when max skew ${c.maxSkew} is exceeded${selector}\n`);
  });
}

/** The `Pod Template:` section of a workload. */
export function describePodTemplate(w: Writer, template: Json): void {
  w.write(0, 'Pod Template:\n');
  if (!template) {
    w.write(1, '<unset>');
    return;
  }
  const spec = template.spec ?? {};
  printLabels(w, '  Labels', template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0) printAnnotations(w, '  Annotations', template.metadata.annotations);
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, undefined, undefined, '  ');
  describeContainers(w, 'Containers', spec.containers, undefined, undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  describeTopologySpread(w, spec.topologySpreadConstraints, '  ');
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabels(w, '  Node-Selectors', spec.nodeSelector);
  printTolerations(w, '  Tolerations', spec.tolerations);
}
