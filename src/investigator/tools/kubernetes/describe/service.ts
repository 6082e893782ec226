/** `kubectl describe service`, with the endpoints behind each port. */
import { formatLabels } from '../format.ts';
import type { KubeObject } from '../client.ts';
import { eventsOf, type DescribeContext } from './context.ts';
import { DescribeWriter, printAnnotations, printEvents, printLabels } from './writer.ts';

type Json = any;

export async function describeService(svc: KubeObject, ctx: DescribeContext): Promise<string> {
  const ns = svc.metadata.namespace ?? '';
  const [slices, events] = await Promise.all([
    ctx.reader.listOrEmpty(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices`, { labelSelector: `kubernetes.io/service-name=${svc.metadata.name}` }),
    eventsOf(ctx, svc, 'Service'),
  ]);
  const spec: Json = svc.spec ?? {};
  const w = new DescribeWriter();
  w.write(0, `Name:\t${svc.metadata.name}\n`);
  w.write(0, `Namespace:\t${ns}\n`);
  printLabels(w, 'Labels', svc.metadata.labels);
  printAnnotations(w, 'Annotations', svc.metadata.annotations);
  w.write(0, `Selector:\t${formatLabels(spec.selector)}\n`);
  w.write(0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>'}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (spec.loadBalancerIP) w.write(0, `IP:\t${spec.loadBalancerIP}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  const ingress: Json[] = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) w.write(0, `LoadBalancer Ingress:\t${ingress.map(ingressString).join(', ')}\n`);
  const ports: Json[] = spec.ports ?? [];
  for (const p of ports) {
    const name = p.name || '<unset>';
    const protocol = p.protocol ?? 'TCP';
    w.write(0, `Port:\t${name}\t${p.port}/${protocol}\n`);
    w.write(0, `TargetPort:\t${p.targetPort ?? p.port}/${protocol}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${protocol}\n`);
    w.write(0, `Endpoints:\t${formatEndpoints(slices, p.name ?? '')}\n`);
  }
  if (ports.length === 0) w.write(0, `Endpoints:\t${formatEndpoints(slices, undefined)}\n`);
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (spec.loadBalancerSourceRanges?.length) w.write(0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(',')}\n`);
  if (spec.trafficDistribution) w.write(0, `Traffic Distribution:\t${spec.trafficDistribution}\n`);
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

function ingressString(i: Json): string {
  const host = i.ip || i.hostname || '';
  return i.ports?.length ? `${host} (${i.ports.map((p: Json) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ')})` : host;
}

/**
 * `ip:port,ip:port,ip:port + 2 more...`: the ready endpoints of the service's EndpointSlices for
 * the named port (`portName` undefined: a service without ports, which matches no sliced port).
 * `<none>` when there is no slice at all, empty when slices exist but none serves the port.
 */
function formatEndpoints(slices: KubeObject[], portName: string | undefined): string {
  if (slices.length === 0) return '<none>';
  const out: string[] = [];
  let count = 0;
  const add = (text: string): void => {
    count++;
    if (out.length < 3) out.push(text);
  };
  for (const slice of slices) {
    const ready: Json[] = (slice.endpoints ?? []).filter((e: Json) => e.conditions?.ready !== false && e.addresses?.length);
    const ports: Json[] = slice.ports ?? [];
    if (ports.length === 0) {
      for (const e of ready) add(e.addresses[0]);
      continue;
    }
    for (const port of ports) {
      if (portName === undefined || (port.name ?? '') !== portName) continue;
      for (const e of ready) add(joinHostPort(e.addresses[0], port.port));
    }
  }
  return count > 3 ? `${out.join(',')} + ${count - 3} more...` : out.join(',');
}

const joinHostPort = (host: string, port: unknown): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
