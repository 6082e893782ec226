/**
 * Printers for workload controllers and their policies: apps, batch, autoscaling, policy.
 */
import type { KubeObject } from '../../core/types.ts';
import { ageCol, col, containerCols, nameCol, selectorCol } from './columns.ts';
import { humanDuration, parseTimestamp, timestampSince } from './duration.ts';
import { arr, containerCells, findCondition, formatLabelSelector, formatLabels, int, intOrString, labelSelectorString, obj, str } from './format.ts';
import type { Printer } from './model.ts';
import { formatQuantityText } from '../../core/quantity.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: Date): string => timestampSince(o.metadata.creationTimestamp, now);
const templateContainers = (o: KubeObject): [string, string] => containerCells(obj(obj(obj(o.spec).template).spec).containers);

export const statefulSetPrinter: Printer = {
  columns: [nameCol(), col('Ready', 'string', 'Number of the pod with ready state'), ageCol(), ...containerCols()],
  cells(o, now) {
    const [names, images] = templateContainers(o);
    return [name(o), `${int(obj(o.status).readyReplicas)}/${int(obj(o.spec).replicas, 1)}`, age(o, now), names, images];
  },
};

export const deploymentPrinter: Printer = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageCol(),
    ...containerCols(),
    selectorCol('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const [names, images] = templateContainers(o);
    const selector = labelSelectorString(spec.selector) ?? '<invalid>';
    return [name(o), `${int(status.readyReplicas)}/${int(spec.replicas, 1)}`, int(status.updatedReplicas), int(status.availableReplicas), age(o, now), names, images, selector];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    ageCol(),
    ...containerCols(),
    selectorCol('Selector is a label query over pods that should match the replica count.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const [names, images] = templateContainers(o);
    return [name(o), int(spec.replicas, 1), int(status.replicas), int(status.readyReplicas), age(o, now), names, images, formatLabelSelector(spec.selector)];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node."),
    ageCol(),
    ...containerCols(),
    selectorCol('A label query over pods that are managed by the daemon set.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const [names, images] = templateContainers(o);
    return [
      name(o),
      int(status.desiredNumberScheduled),
      int(status.currentNumberScheduled),
      int(status.numberReady),
      int(status.updatedNumberScheduled),
      int(status.numberAvailable),
      formatLabels(obj(obj(spec.template).spec).nodeSelector),
      age(o, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

function controllerName(o: KubeObject): string {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
  return groupKind ? `${groupKind.toLowerCase()}/${ref.name}` : ref.name;
}

export const controllerRevisionPrinter: Printer = {
  columns: [nameCol(), col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), ageCol()],
  cells: (o, now) => [name(o), controllerName(o), int(o.revision), age(o, now)],
};

// ---------------------------------------------------------------------------------------------
// batch

/** True when the first condition of that type has status True. */
function hasCondition(conditions: unknown, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

function jobStatus(o: KubeObject): string {
  const conditions = obj(o.status).conditions;
  if (hasCondition(conditions, 'Complete')) return 'Complete';
  if (hasCondition(conditions, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(conditions, 'Suspended')) return 'Suspended';
  if (hasCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(o: KubeObject): string {
  const spec = obj(o.spec);
  const succeeded = int(obj(o.status).succeeded);
  if (typeof spec.completions === 'number') return `${succeeded}/${int(spec.completions)}`;
  const parallelism = int(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject, now: Date): string {
  const status = obj(o.status);
  const start = parseTimestamp(status.startTime);
  if (!start) return '';
  const end = parseTimestamp(status.completionTime);
  return humanDuration((end ?? now).getTime() - start.getTime());
}

export const jobPrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol(),
    ...containerCols(),
    selectorCol('A label query over pods that should match the pod count.'),
  ],
  cells(o, now) {
    const [names, images] = templateContainers(o);
    return [name(o), jobStatus(o), jobCompletions(o), jobDuration(o, now), age(o, now), names, images, formatLabelSelector(obj(o.spec).selector)];
  },
};

function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

export const cronJobPrinter: Printer = {
  columns: [
    nameCol(),
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageCol(),
    ...containerCols(),
    selectorCol('A label query over pods that should match the pod count.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const jobSpec = obj(obj(spec.jobTemplate).spec);
    const [names, images] = containerCells(obj(obj(jobSpec.template).spec).containers);
    const lastSchedule = status.lastScheduleTime ? timestampSince(status.lastScheduleTime, now) : '<none>';
    return [
      name(o),
      str(spec.schedule),
      typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
      boolPtr(spec.suspend),
      arr(status.active).length,
      lastSchedule,
      age(o, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// autoscaling

interface MetricSpecs {
  specs: Record<string, any>[];
  statuses: Record<string, any>[];
}

/** autoscaling/v2 metrics; autoscaling/v1 objects express a CPU utilization target instead. */
function hpaMetrics(o: KubeObject): MetricSpecs {
  const spec = obj(o.spec);
  const status = obj(o.status);
  if (Array.isArray(spec.metrics) || !('targetCPUUtilizationPercentage' in spec)) {
    return { specs: arr(spec.metrics).map(obj), statuses: arr(status.currentMetrics).map(obj) };
  }
  const specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
  const statuses =
    typeof status.currentCPUUtilizationPercentage === 'number'
      ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }]
      : [];
  return { specs, statuses };
}

function percent(v: unknown): string | undefined {
  return typeof v === 'number' ? `${Math.trunc(v)}%` : undefined;
}

function formatMetric(spec: Record<string, any>, status: Record<string, any> | undefined): string {
  const currentOf = (key: string): Record<string, any> | undefined => (status && status[key] ? obj(obj(status[key]).current) : undefined);
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = obj(obj(spec[key]).target);
      const current = currentOf(key);
      if (target.averageValue !== undefined && target.averageValue !== null) {
        const cur = current && current.averageValue !== undefined && current.averageValue !== null ? formatQuantityText(current.averageValue) : '<unknown>';
        return `${cur}/${formatQuantityText(target.averageValue)} (avg)`;
      }
      const cur = current ? formatQuantityText(current.value) : '<unknown>';
      return `${cur}/${formatQuantityText(target.value)}`;
    }
    case 'Pods': {
      const target = obj(obj(spec.pods).target);
      const current = currentOf('pods');
      return `${current ? formatQuantityText(current.averageValue) : '<unknown>'}/${formatQuantityText(target.averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const source = obj(spec[key]);
      const target = obj(source.target);
      const current = currentOf(key);
      if (target.averageValue !== undefined && target.averageValue !== null) {
        return `${str(source.name)}: ${current ? formatQuantityText(current.averageValue) : '<unknown>'}/${formatQuantityText(target.averageValue)}`;
      }
      const cur = (current && percent(current.averageUtilization)) ?? '<unknown>';
      return `${str(source.name)}: ${cur}/${percent(target.averageUtilization) ?? '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The TARGETS column: at most two metrics, then `+ N more...`. */
export function formatHpaTargets(o: KubeObject): string {
  const { specs, statuses } = hpaMetrics(o);
  if (specs.length === 0) return '<none>';
  const list = specs.map((s, i) => formatMetric(s, statuses[i]));
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    nameCol(),
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count.'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const ref = obj(spec.scaleTargetRef);
    const minPods = typeof spec.minReplicas === 'number' ? String(Math.trunc(spec.minReplicas)) : '<unset>';
    return [name(o), `${str(ref.kind)}/${str(ref.name)}`, formatHpaTargets(o), minPods, int(spec.maxReplicas), int(obj(o.status).currentReplicas), age(o, now)];
  },
};

// ---------------------------------------------------------------------------------------------
// policy

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameCol(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const present = (v: unknown): boolean => v !== undefined && v !== null;
    return [
      name(o),
      present(spec.minAvailable) ? intOrString(spec.minAvailable) : 'N/A',
      present(spec.maxUnavailable) ? intOrString(spec.maxUnavailable) : 'N/A',
      int(obj(o.status).disruptionsAllowed),
      age(o, now),
    ];
  },
};
