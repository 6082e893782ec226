import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../../src/cluster/apiserver/errors.ts';
import type { JSONSchemaProps, KubeObject, ManagedFieldsEntry } from '../../../../src/cluster/core/types.ts';
import {
  patchMetaForBuiltin,
  patchMetaFromSchema,
  recordUpdate,
  serverSideApply,
  type PatchMeta,
} from '../../../../src/cluster/apiserver/patch/index.ts';

const deployMeta = patchMetaForBuiltin({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
const cmMeta = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'ConfigMap' })!;

function config(overrides: { replicas?: number; image?: string; env?: unknown[]; labels?: Record<string, string>; containers?: unknown[] } = {}): KubeObject {
  const web: Record<string, unknown> = { name: 'web', image: overrides.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }] };
  if (overrides.env) web.env = overrides.env;
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: overrides.containers ?? [web] } },
  };
  if (overrides.replicas !== undefined) spec.replicas = overrides.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: overrides.labels ?? { app: 'web' } },
    spec,
  };
}

type Opts = Partial<Parameters<typeof serverSideApply>[2]>;
function apply(live: KubeObject | undefined, applied: KubeObject, opts: Opts = {}): KubeObject {
  return serverSideApply(live, structuredClone(applied), { manager: 'kubectl', force: false, meta: deployMeta, apiVersion: 'apps/v1', now: '2024-01-01T00:00:00Z', ...opts });
}

/** What the server core does after a create: identity fields and defaults. */
function persist(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  out.metadata.uid = 'uid-1';
  out.metadata.resourceVersion = '1';
  out.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
  for (const c of out.spec?.template?.spec?.containers ?? []) {
    c.imagePullPolicy ??= 'IfNotPresent';
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
  return out;
}

function entry(obj: KubeObject, manager: string, operation = 'Apply'): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager && e.operation === operation);
}

function conflict(pattern: RegExp) {
  return (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict' && pattern.test(e.message);
}

describe('server-side apply: create and no-op', () => {
  it('creates the object with one Apply entry in FieldsV1 form', () => {
    const out = apply(undefined, config({ replicas: 2 }));
    assert.equal(out.metadata.name, 'web');
    assert.equal(out.metadata.namespace, 'default');
    assert.equal(out.spec.replicas, 2);
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('re-applying the same config is a no-op, defaults and server fields survive', () => {
    const live = persist(apply(undefined, config({ replicas: 2 })));
    const again = apply(live, config({ replicas: 2 }), { now: '2030-01-01T00:00:00Z' });
    assert.deepEqual(again, live);
  });

  it('does not mutate the live object or the applied config', () => {
    const live = persist(apply(undefined, config({ replicas: 2 })));
    const liveCopy = structuredClone(live);
    const applied = config({ replicas: 5, image: 'nginx:2', labels: {} });
    const appliedCopy = structuredClone(applied);
    serverSideApply(live, applied, { manager: 'kubectl', force: false, meta: deployMeta, apiVersion: 'apps/v1', now: 't' });
    assert.deepEqual(live, liveCopy);
    assert.deepEqual(applied, appliedCopy);
  });
});

describe('server-side apply: changes and removals', () => {
  it('changes an image in place and keeps defaulted fields', () => {
    const live = persist(apply(undefined, config({ replicas: 2 })));
    const out = apply(live, config({ replicas: 2, image: 'nginx:1.26' }), { now: 't2' });
    const [web] = out.spec.template.spec.containers;
    assert.equal(web.image, 'nginx:1.26');
    assert.equal(web.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(web.ports, [{ containerPort: 80, protocol: 'TCP' }], 'port without protocol matched the defaulted one');
    assert.equal(entry(out, 'kubectl')!.time, 't2');
    assert.equal(out.metadata.uid, 'uid-1');
  });

  it('removes fields, list items and labels the manager stops applying', () => {
    const first = persist(apply(undefined, config({ replicas: 2, labels: { app: 'web', team: 'a' }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })));
    const out = apply(first, config({ labels: { app: 'web' }, env: [{ name: 'A', value: '1' }] }));
    assert.equal('replicas' in out.spec, false);
    assert.deepEqual(out.metadata.labels, { app: 'web' });
    assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
    const fields = entry(out, 'kubectl')!.fieldsV1 as any;
    assert.equal(fields['f:spec']['f:replicas'], undefined);
    assert.deepEqual(fields['f:metadata'], { 'f:labels': { 'f:app': {} } });
    // Dropping the last env var removes the emptied list too.
    const noEnv = apply(out, config({}));
    assert.equal('env' in noEnv.spec.template.spec.containers[0], false);
  });

  it('removes a whole container the manager no longer applies, but not one another manager applies', () => {
    const sidecar = { name: 'sidecar', image: 'busybox' };
    const web = { name: 'web', image: 'nginx' };
    let live = persist(apply(undefined, config({ containers: [web, sidecar] })));
    live = apply(live, config({ containers: [{ name: 'extra', image: 'x' }] }), { manager: 'other' });
    const out = apply(live, config({ containers: [web] }));
    assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['web', 'extra']);
  });

  it('keeps a field another manager also owns, and gives up its own claim', () => {
    let live = persist(apply(undefined, config({ replicas: 3 })));
    live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } }, { manager: 'autoscaler' });
    assert.ok((entry(live, 'autoscaler')!.fieldsV1 as any)['f:spec']['f:replicas'], 'shared ownership of an equal value');
    const out = apply(live, config({}));
    assert.equal(out.spec.replicas, 3);
    assert.equal((entry(out, 'kubectl')!.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  });

  it('applies null to delete a field', () => {
    const live = persist(apply(undefined, config({ replicas: 3 })));
    const applied = config({});
    applied.spec.replicas = null;
    const out = apply(live, applied);
    assert.equal('replicas' in out.spec, false);
  });

  it('owns atomic structs and lists whole', () => {
    const live = persist(apply(undefined, config({})));
    const applied = config({});
    applied.spec.selector = { matchLabels: { app: 'web', extra: 'y' } };
    applied.spec.template.spec.containers[0].args = ['--a'];
    const out = apply(live, applied);
    const fields = entry(out, 'kubectl')!.fieldsV1 as any;
    assert.deepEqual(fields['f:spec']['f:selector'], {});
    assert.deepEqual(fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:args'], {});
    assert.deepEqual(out.spec.selector, { matchLabels: { app: 'web', extra: 'y' } });
  });

  it('merges finalizers as a set owned by value', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x/a'] }, data: { k: 'v' } };
    const live = apply(undefined, cm, { meta: cmMeta, apiVersion: 'v1' });
    const withOther = apply(live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x/b'] } }, { meta: cmMeta, apiVersion: 'v1', manager: 'ctrl' });
    assert.deepEqual(withOther.metadata.finalizers, ['x/a', 'x/b']);
    assert.deepEqual((entry(withOther, 'ctrl')!.fieldsV1 as any)['f:metadata'], { 'f:finalizers': { 'v:"x/b"': {} } });
    const dropped = apply(withOther, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } }, { meta: cmMeta, apiVersion: 'v1' });
    assert.deepEqual(dropped.metadata.finalizers, ['x/b']);
  });
});

describe('server-side apply: conflicts', () => {
  function createdByClientSideApply(): KubeObject {
    const obj = persist(config({ replicas: 1 }));
    return recordUpdate(undefined, obj, { manager: 'kubectl-client-side-apply', meta: deployMeta, apiVersion: 'apps/v1', now: 't0' });
  }

  it('rejects changing a value another manager owns, like the real server', () => {
    const live = createdByClientSideApply();
    assert.throws(
      () => apply(live, config({ replicas: 3 })),
      (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 409);
        assert.equal(e.reason, 'Conflict');
        assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
        assert.deepEqual(e.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
        return true;
      },
    );
  });

  it('lists several conflicting fields per manager', () => {
    const live = createdByClientSideApply();
    assert.throws(
      () => apply(live, config({ replicas: 3, image: 'nginx:2' })),
      conflict(/^Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps\/v1:\n- \.spec\.replicas\n- \.spec\.template\.spec\.containers\[name="web"\]\.image$/),
    );
  });

  it('does not conflict when the applied value equals the owned one, and then shares it', () => {
    const live = createdByClientSideApply();
    const out = apply(live, config({ replicas: 1 }));
    assert.ok((entry(out, 'kubectl-client-side-apply', 'Update')!.fieldsV1 as any)['f:spec']['f:replicas']);
    assert.ok((entry(out, 'kubectl')!.fieldsV1 as any)['f:spec']['f:replicas']);
  });

  it('force takes ownership from the other manager', () => {
    const live = createdByClientSideApply();
    const out = apply(live, config({ replicas: 3 }), { force: true });
    assert.equal(out.spec.replicas, 3);
    const csa = entry(out, 'kubectl-client-side-apply', 'Update')!.fieldsV1 as any;
    assert.equal(csa['f:spec']['f:replicas'], undefined, 'the other manager lost .spec.replicas');
    assert.ok(csa['f:spec']['f:template'], 'but kept the rest');
    assert.ok((entry(out, 'kubectl')!.fieldsV1 as any)['f:spec']['f:replicas']);
  });

  it('conflicts between two appliers, naming the subresource when there is one', () => {
    const live = apply(undefined, config({ replicas: 1 }), { manager: 'a', subresource: 'scale' });
    assert.equal(live.metadata.managedFields![0].subresource, 'scale');
    assert.throws(() => apply(live, config({ replicas: 2 }), { manager: 'b' }), conflict(/conflict with "a" with subresource "scale" using apps\/v1: \.spec\.replicas/));
  });

  it('charges an unmanaged object\'s fields to before-first-apply', () => {
    const live = persist(config({ replicas: 1 }));
    assert.throws(() => apply(live, config({ replicas: 4 })), conflict(/conflict with "before-first-apply"/));
    const out = apply(live, config({ replicas: 1 }));
    assert.deepEqual(out.metadata.managedFields!.map((e) => [e.manager, e.operation]), [['before-first-apply', 'Update'], ['kubectl', 'Apply']]);
  });
});

describe('server-side apply: options and errors', () => {
  it('ignores reset paths (e.g. status on the main resource)', () => {
    const applied = config({ replicas: 1 });
    applied.status = { replicas: 9 };
    const out = apply(undefined, applied, { resetPaths: [['status']] });
    assert.equal(out.status, undefined);
    assert.equal((entry(out, 'kubectl')!.fieldsV1 as any)['f:status'], undefined);
  });

  it('rejects bad applied configurations with 400', () => {
    const isBad = (re: RegExp) => (e: unknown) => e instanceof ApiError && e.code === 400 && re.test(e.message);
    const withManaged = config({});
    withManaged.metadata.managedFields = [];
    assert.throws(() => apply(undefined, withManaged), isBad(/managedFields must be nil/));
    assert.throws(() => apply(undefined, config({ containers: [{ image: 'x' }] })), isBad(/omits key field "name"/));
    assert.throws(() => apply(undefined, config({ containers: [{ name: 'a' }, { name: 'a' }] })), isBad(/duplicate entries/));
    assert.throws(() => apply(undefined, config({}), { manager: '' }), isBad(/fieldManager is required/));
  });
});

describe('server-side apply: custom resources', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          size: { type: 'integer' },
          args: { type: 'array', items: { type: 'string' } },
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          routes: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['host', 'port'],
            items: { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' }, weight: { type: 'integer' } } },
          },
        },
      },
    },
  };
  const meta: PatchMeta = patchMetaFromSchema(schema);
  const cr = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', ...(labels ? { labels } : {}) },
    spec,
  });
  const applyCr = (live: KubeObject | undefined, obj: KubeObject, manager = 'm'): KubeObject =>
    serverSideApply(live, obj, { manager, force: false, meta, apiVersion: 'example.com/v1', now: 't' });

  it('merges list-maps by their keys and sets by value, replaces atomic lists', () => {
    let live = applyCr(undefined, cr({ args: ['a'], tags: ['x'], routes: [{ host: 'h', port: 80, weight: 1 }] }, { l: '1' }));
    assert.deepEqual(
      Object.keys((live.metadata.managedFields![0].fieldsV1 as any)['f:spec']['f:routes']),
      ['k:{"host":"h","port":80}'],
    );
    live = applyCr(live, cr({ tags: ['y'], routes: [{ host: 'h', port: 81, weight: 2 }] }), 'n');
    assert.deepEqual(live.spec.tags, ['x', 'y']);
    assert.deepEqual(live.spec.routes.map((r: any) => r.port), [80, 81]);
    assert.deepEqual(live.metadata.labels, { l: '1' });
    // args is atomic and owned whole by m: another manager changing any item conflicts.
    assert.throws(() => applyCr(live, cr({ args: ['a', 'b'] }), 'n'), (e: unknown) => e instanceof ApiError && /\.spec\.args$/.test(e.message));
    // m re-applies without its route and tag: only m's items go.
    live = applyCr(live, cr({ args: ['b'] }));
    assert.deepEqual(live.spec, { args: ['b'], tags: ['y'], routes: [{ host: 'h', port: 81, weight: 2 }] });
    assert.equal(live.metadata.labels, undefined, 'the emptied labels map is dropped');
  });

  it('updates a list-map item in place without touching other keys of it', () => {
    let live = applyCr(undefined, cr({ routes: [{ host: 'h', port: 80, weight: 1 }] }));
    live = applyCr(live, cr({ routes: [{ host: 'h', port: 80, weight: 5 }] }));
    assert.deepEqual(live.spec.routes, [{ host: 'h', port: 80, weight: 5 }]);
    assert.throws(() => applyCr(live, cr({ routes: [{ host: 'h', port: 80, weight: 7 }] }), 'n'), (e: unknown) => e instanceof ApiError && e.message.endsWith('.spec.routes[host="h",port=80].weight'));
  });
});
