/**
 * The kubectl commands whose protobuf request bodies are captured as fixtures. `expected` is
 * what kubectl would send as JSON: for create-style commands it comes from the same command
 * with `--dry-run=client -o json` (captured alongside the body); otherwise it is written here.
 */
import type { KubectlStub } from './kubectl-harness.ts';

export interface Case {
  name: string;
  args: (stub: KubectlStub) => string[];
  /** Request path of the body to keep (the last body-carrying request to it). */
  path: string;
  /** Method of that request (default POST). */
  method?: string;
  /** Obtain the expected JSON by re-running with `--dry-run=client -o json`. */
  dryRun?: boolean;
  expected?: Record<string, unknown>;
}

/** A pod spec touching most PodSpec/Container fields (sent by kubectl in a Job made from a CronJob). */
const RICH_POD_SPEC = {
  serviceAccountName: 'sa1',
  automountServiceAccountToken: false,
  terminationGracePeriodSeconds: 0,
  nodeSelector: { disk: 'ssd' },
  securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, runAsNonRoot: true, supplementalGroups: [4000, 5000], seccompProfile: { type: 'RuntimeDefault' } },
  initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }],
  containers: [{
    name: 'p2',
    image: 'nginx:1.27',
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'PLAIN', value: 'v' },
      { name: 'EMPTY' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'CM', valueFrom: { configMapKeyRef: { name: 'c1', key: 'a', optional: true } } },
      { name: 'SEC', valueFrom: { secretKeyRef: { name: 's1', key: 'p' } } },
    ],
    envFrom: [{ configMapRef: { name: 'c1' } }, { prefix: 'S_', secretRef: { name: 's1', optional: false } }],
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi', 'ephemeral-storage': '1Gi' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-A', value: 'b' }] }, initialDelaySeconds: 3, periodSeconds: 5, failureThreshold: 0 },
    readinessProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 2 },
    startupProbe: { exec: { command: ['cat', '/tmp/ok'] }, successThreshold: 1 },
    lifecycle: { preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } },
    volumeMounts: [
      { name: 'cfg', mountPath: '/etc/cfg', readOnly: true },
      { name: 'data', mountPath: '/data', subPath: 'sub' },
      { name: 'scratch', mountPath: '/scratch' },
    ],
    securityContext: {
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    },
    stdin: true,
    tty: true,
  }],
  volumes: [
    { name: 'cfg', configMap: { name: 'c1', defaultMode: 420, items: [{ key: 'a', path: 'a.txt', mode: 256 }] } },
    { name: 'sec', secret: { secretName: 's1', optional: true } },
    { name: 'data', persistentVolumeClaim: { claimName: 'pvc1' } },
    { name: 'scratch', emptyDir: {} },
    { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    {
      name: 'proj',
      projected: {
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'api' } },
          { configMap: { name: 'c1' } },
          { downwardAPI: { items: [{ path: 'cpu', resourceFieldRef: { containerName: 'p2', resource: 'requests.cpu' } }] } },
        ],
      },
    },
  ],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { labelSelector: { matchLabels: { run: 'p2' } }, topologyKey: 'kubernetes.io/hostname' },
      }],
    },
  },
  tolerations: [
    { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
    { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
  ],
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { run: 'p2' } } }],
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
  dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
  priority: 0,
  enableServiceLinks: false,
};

/** Objects kubectl GETs before some commands (expose, create job --from, drain). */
export const CANNED: Record<string, unknown> = {
  '/apis/apps/v1/namespaces/default/deployments/web': {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, uid: '11111111-1111-1111-1111-111111111111' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
    },
  },
  '/apis/batch/v1/namespaces/default/cronjobs/cj1': {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'cj1', namespace: 'default', uid: '22222222-2222-2222-2222-222222222222' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        metadata: { labels: { team: 'a' } },
        spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox', args: ['date'] }] } } },
      },
    },
  },
  '/apis/batch/v1/namespaces/default/cronjobs/rich': {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'rich', namespace: 'default', uid: '66666666-6666-6666-6666-666666666666' },
    spec: {
      schedule: '@hourly',
      jobTemplate: {
        metadata: { labels: { run: 'p2' }, annotations: { note: 'rich' } },
        spec: {
          backoffLimit: 0, completions: 2, parallelism: 1, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 0,
          template: { metadata: { labels: { run: 'p2' } }, spec: { ...RICH_POD_SPEC, restartPolicy: 'Never' } },
        },
      },
    },
  },
  '/api/v1/nodes/n1': { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true } },
  '/api/v1/pods': {
    apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' },
    items: [{
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'web-abc', namespace: 'default', uid: '33333333-3333-3333-3333-333333333333',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d', uid: '44444444-4444-4444-4444-444444444444', controller: true }],
      },
      spec: { nodeName: 'n1', containers: [{ name: 'nginx', image: 'nginx' }] },
      status: { phase: 'Running' },
    }],
  },
};

export const CASES: Case[] = [
  { name: 'namespace', args: () => ['create', 'namespace', 'n1'], path: '/api/v1/namespaces', dryRun: true },
  {
    name: 'configmap', args: () => ['create', 'configmap', 'c1', '--from-literal=a=1', '--from-literal=b=two words'],
    path: '/api/v1/namespaces/default/configmaps', dryRun: true,
  },
  {
    name: 'configmap-binary',
    args: (stub) => ['create', 'configmap', 'bin', `--from-file=blob=${stub.file('blob', Buffer.from([0xff, 0x00, 0xfe, 0x10]))}`, '--from-literal=text=ü'],
    path: '/api/v1/namespaces/default/configmaps', dryRun: true,
  },
  {
    name: 'secret', args: () => ['create', 'secret', 'generic', 's1', '--from-literal=p=x', '--from-literal=empty='],
    path: '/api/v1/namespaces/default/secrets', dryRun: true,
  },
  {
    name: 'secret-docker-registry',
    args: () => ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p'],
    path: '/api/v1/namespaces/default/secrets', dryRun: true,
  },
  { name: 'serviceaccount', args: () => ['create', 'serviceaccount', 'sa1'], path: '/api/v1/namespaces/default/serviceaccounts', dryRun: true },
  {
    name: 'deployment', args: () => ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80'],
    path: '/apis/apps/v1/namespaces/default/deployments', dryRun: true,
  },
  {
    name: 'deployment-zero-replicas', args: () => ['create', 'deployment', 'zero', '--image=nginx', '--image=busybox', '--replicas=0'],
    path: '/apis/apps/v1/namespaces/default/deployments', dryRun: true,
  },
  { name: 'job', args: () => ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'], path: '/apis/batch/v1/namespaces/default/jobs', dryRun: true },
  {
    name: 'job-from-cronjob', args: () => ['create', 'job', 'j2', '--from=cronjob/cj1'],
    path: '/apis/batch/v1/namespaces/default/jobs', dryRun: true,
  },
  {
    name: 'cronjob', args: () => ['create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'],
    path: '/apis/batch/v1/namespaces/default/cronjobs', dryRun: true,
  },
  {
    name: 'service-clusterip', args: () => ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443'],
    path: '/api/v1/namespaces/default/services', dryRun: true,
  },
  {
    name: 'service-headless', args: () => ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
    path: '/api/v1/namespaces/default/services', dryRun: true,
  },
  {
    name: 'service-nodeport', args: () => ['create', 'service', 'nodeport', 'np1', '--tcp=80:http', '--node-port=30080'],
    path: '/api/v1/namespaces/default/services', dryRun: true,
  },
  {
    name: 'service-externalname', args: () => ['create', 'service', 'externalname', 'ext1', '--external-name=example.com'],
    path: '/api/v1/namespaces/default/services', dryRun: true,
  },
  {
    name: 'role', args: () => ['create', 'role', 'r1', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=a'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', dryRun: true,
  },
  {
    name: 'rolebinding', args: () => ['create', 'rolebinding', 'rb1', '--role=r1', '--user=alice', '--serviceaccount=default:sa1'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', dryRun: true,
  },
  {
    name: 'clusterrole', args: () => ['create', 'clusterrole', 'cr1', '--verb=get', '--non-resource-url=/healthz', '--non-resource-url=/logs/*'],
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', dryRun: true,
  },
  {
    name: 'clusterrole-aggregated', args: () => ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', dryRun: true,
  },
  {
    name: 'clusterrolebinding', args: () => ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--group=devs'],
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', dryRun: true,
  },
  {
    name: 'quota', args: () => ['create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=NotTerminating'],
    path: '/api/v1/namespaces/default/resourcequotas', dryRun: true,
  },
  {
    name: 'pdb-min-available', args: () => ['create', 'poddisruptionbudget', 'pdb1', '--selector=app=x', '--min-available=1'],
    path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets', dryRun: true,
  },
  {
    name: 'pdb-max-unavailable', args: () => ['create', 'poddisruptionbudget', 'pdb2', '--selector=app in (x,y)', '--max-unavailable=50%'],
    path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets', dryRun: true,
  },
  {
    name: 'priorityclass', args: () => ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'],
    path: '/apis/scheduling.k8s.io/v1/priorityclasses', dryRun: true,
  },
  {
    name: 'priorityclass-negative', args: () => ['create', 'priorityclass', 'low', '--value=-5', '--global-default'],
    path: '/apis/scheduling.k8s.io/v1/priorityclasses', dryRun: true,
  },
  {
    name: 'ingress',
    args: () => ['create', 'ingress', 'ing1', '--class=nginx', '--rule=foo.com/bar*=svc1:8080,tls=my-cert', '--rule=/exact=svc2:http', '--default-backend=defsvc:80', '--annotation=a=b'],
    path: '/apis/networking.k8s.io/v1/namespaces/default/ingresses', dryRun: true,
  },
  {
    name: 'run', args: () => ['run', 'p1', '--image=busybox', '--restart=Never', '--labels=app=p1,tier=x', '--env=A=1', '--port=8080', '--', 'sleep', '10'],
    path: '/api/v1/namespaces/default/pods', dryRun: true,
  },
  {
    name: 'job-from-rich-cronjob', args: () => ['create', 'job', 'rich-run', '--from=cronjob/rich'],
    path: '/apis/batch/v1/namespaces/default/jobs', dryRun: true,
  },
  {
    name: 'expose', args: () => ['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web-svc'],
    path: '/api/v1/namespaces/default/services', dryRun: true,
  },
  {
    name: 'auth-can-i', args: () => ['auth', 'can-i', 'list', 'pods'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    expected: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } }, status: { allowed: false },
    },
  },
  {
    name: 'auth-can-i-nonresource', args: () => ['auth', 'can-i', 'get', '/logs/'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    expected: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
      spec: { nonResourceAttributes: { path: '/logs/', verb: 'get' } }, status: { allowed: false },
    },
  },
  {
    name: 'create-token', args: () => ['create', 'token', 'sa1', '--duration=10m', '--audience=api', '--audience=vault'],
    path: '/api/v1/namespaces/default/serviceaccounts/sa1/token',
    expected: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
      spec: { audiences: ['api', 'vault'], expirationSeconds: 600 }, status: { token: '' },
    },
  },
  {
    name: 'create-token-bound', args: () => ['create', 'token', 'sa1', '--bound-object-kind=Pod', '--bound-object-name=p1', '--bound-object-uid=abc'],
    path: '/api/v1/namespaces/default/serviceaccounts/sa1/token',
    expected: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
      spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'abc' } }, status: { token: '' },
    },
  },
  {
    name: 'auth-whoami', args: () => ['auth', 'whoami'], path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    expected: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: {} } },
  },
  {
    name: 'auth-can-i-list', args: () => ['auth', 'can-i', '--list', '-n', 'kube-system'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    expected: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {},
      spec: { namespace: 'kube-system' }, status: { incomplete: false },
    },
  },
  {
    name: 'autoscale', args: () => ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=70'],
    path: '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', dryRun: true,
  },
  {
    name: 'drain-eviction', args: () => ['drain', 'n1', '--timeout=5s', '--skip-wait-for-delete-timeout=1'],
    path: '/api/v1/namespaces/default/pods/web-abc/eviction',
    expected: {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-abc', namespace: 'default' }, deleteOptions: {},
    },
  },
  {
    name: 'drain-delete', args: () => ['drain', 'n1', '--disable-eviction', '--timeout=5s', '--grace-period=7'],
    path: '/api/v1/namespaces/default/pods/web-abc', method: 'DELETE',
    expected: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 7 },
  },
];
