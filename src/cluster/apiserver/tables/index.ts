/**
 * Server-side Table conversion: what `kubectl get` prints. kubectl asks for
 * `application/json;as=Table;v=v1;g=meta.k8s.io` and renders the columns and cells it receives
 * (hiding priority > 0 columns unless `-o wide`).
 *
 * Built-in resources use the printer registered for their group and resource; custom resources use
 * their CRD's printer columns; anything else gets the server's default table: `Name` and
 * `Created At` (an RFC 3339 timestamp).
 */
import type { KubeObject, ResourceInfo } from '../../core/types.ts';
import { col, nameCol } from './columns.ts';
import { customResourcePrinter } from './custom.ts';
import { rfc3339Seconds } from './duration.ts';
import type { IncludeObject, Printer, Table, TableColumnDefinition, TableRow } from './model.ts';
import { podPrinter } from './pod-status.ts';
import * as apps from './printers-apps.ts';
import * as core from './printers-core.ts';
import * as other from './printers-other.ts';

export type { IncludeObject, Printer, Table, TableColumnDefinition, TableRow, TableRowCondition } from './model.ts';
export { humanDuration, timestampSince } from './duration.ts';
export { compileJsonPath, JsonPathError, type JsonPath } from './jsonpath.ts';
export { summarizePod } from './pod-status.ts';

/** The table of resources without a dedicated printer (roles, limit ranges, CRDs themselves...). */
export const defaultPrinter: Printer = {
  columns: [nameCol(), col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is represented in RFC3339 form and is in UTC.')],
  cells: (o) => [o.metadata.name ?? '', rfc3339Seconds(o.metadata.creationTimestamp)],
};

const BUILTIN: Record<string, Printer> = {
  '/pods': podPrinter,
  '/namespaces': core.namespacePrinter,
  '/nodes': core.nodePrinter,
  '/services': core.servicePrinter,
  '/endpoints': core.endpointsPrinter,
  '/configmaps': core.configMapPrinter,
  '/secrets': core.secretPrinter,
  '/serviceaccounts': core.serviceAccountPrinter,
  '/events': core.eventPrinter,
  '/persistentvolumes': core.persistentVolumePrinter,
  '/persistentvolumeclaims': core.persistentVolumeClaimPrinter,
  '/replicationcontrollers': core.replicationControllerPrinter,
  '/podtemplates': core.podTemplatePrinter,
  '/resourcequotas': core.resourceQuotaPrinter,
  '/componentstatuses': core.componentStatusPrinter,
  'events.k8s.io/events': core.eventsV1Printer,
  'apps/statefulsets': apps.statefulSetPrinter,
  'apps/deployments': apps.deploymentPrinter,
  'apps/replicasets': apps.replicaSetPrinter,
  'apps/daemonsets': apps.daemonSetPrinter,
  'apps/controllerrevisions': apps.controllerRevisionPrinter,
  'batch/jobs': apps.jobPrinter,
  'batch/cronjobs': apps.cronJobPrinter,
  'autoscaling/horizontalpodautoscalers': apps.horizontalPodAutoscalerPrinter,
  'policy/poddisruptionbudgets': apps.podDisruptionBudgetPrinter,
  'storage.k8s.io/storageclasses': other.storageClassPrinter,
  'storage.k8s.io/volumeattachments': other.volumeAttachmentPrinter,
  'storage.k8s.io/csinodes': other.csiNodePrinter,
  'storage.k8s.io/csidrivers': other.csiDriverPrinter,
  'storage.k8s.io/csistoragecapacities': other.csiStorageCapacityPrinter,
  'networking.k8s.io/networkpolicies': other.networkPolicyPrinter,
  'networking.k8s.io/ingresses': other.ingressPrinter,
  'networking.k8s.io/ingressclasses': other.ingressClassPrinter,
  'discovery.k8s.io/endpointslices': other.endpointSlicePrinter,
  'coordination.k8s.io/leases': other.leasePrinter,
  'rbac.authorization.k8s.io/rolebindings': other.roleBindingPrinter,
  'rbac.authorization.k8s.io/clusterrolebindings': other.clusterRoleBindingPrinter,
  'scheduling.k8s.io/priorityclasses': other.priorityClassPrinter,
  'node.k8s.io/runtimeclasses': other.runtimeClassPrinter,
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': other.webhookConfigurationPrinter,
  'admissionregistration.k8s.io/validatingwebhookconfigurations': other.webhookConfigurationPrinter,
  'admissionregistration.k8s.io/validatingadmissionpolicies': other.validatingAdmissionPolicyPrinter,
  'admissionregistration.k8s.io/validatingadmissionpolicybindings': other.validatingAdmissionPolicyBindingPrinter,
  'certificates.k8s.io/certificatesigningrequests': other.certificateSigningRequestPrinter,
  'apiregistration.k8s.io/apiservices': other.apiServicePrinter,
};

// Custom-resource printers compile JSONPaths; keep one per ResourceInfo.
const customPrinters = new WeakMap<ResourceInfo, Printer>();

/** The printer used for a resource. */
export function printerFor(info: ResourceInfo): Printer {
  if (info.crd) {
    let p = customPrinters.get(info);
    if (!p) {
      p = customResourcePrinter(info);
      customPrinters.set(info, p);
    }
    return p;
  }
  return BUILTIN[`${info.group}/${info.resource}`] ?? defaultPrinter;
}

/** The column definitions of a resource's table (wide-only columns have priority 1). */
export function columnDefinitions(info: ResourceInfo): TableColumnDefinition[] {
  return printerFor(info).columns.map((c) => ({ ...c }));
}

/** One table row. `include` decides what `object` carries (`includeObject` query parameter). */
export function tableRow(info: ResourceInfo, obj: KubeObject, include: IncludeObject, now: Date): TableRow {
  const printer = printerFor(info);
  const row: TableRow = { cells: printer.cells(obj, now) };
  const conditions = printer.conditions?.(obj);
  if (conditions) row.conditions = conditions;
  if (include === 'Object') {
    row.object = obj;
  } else if (include === 'Metadata') {
    row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
  return row;
}

/**
 * A Table of `objects`. `listMeta` becomes the table's metadata; `omitColumns` leaves the column
 * definitions empty (watch events after the first carry only rows).
 */
export function toTable(
  info: ResourceInfo,
  objects: KubeObject[],
  opts: { include: IncludeObject; now: Date; listMeta?: Table['metadata']; omitColumns?: boolean },
): Table {
  const metadata: Table['metadata'] = {};
  const lm = opts.listMeta ?? {};
  if (lm.resourceVersion !== undefined) metadata.resourceVersion = lm.resourceVersion;
  if (lm.continue !== undefined && lm.continue !== '') metadata.continue = lm.continue;
  if (lm.remainingItemCount !== undefined) metadata.remainingItemCount = lm.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.omitColumns ? [] : columnDefinitions(info),
    rows: objects.map((o) => tableRow(info, o, opts.include, opts.now)),
  };
}
