/**
 * Publishes the OpenAPI documents of the embedded API server:
 *
 * - `GET /openapi/v3` -> `v3Index()`: `{paths: {'api/v1': {serverRelativeURL: '/openapi/v3/api/v1?hash=H'}, ...}}`
 * - `GET /openapi/v3/<api/v1 | apis/G/V>` -> `v3GroupVersion(path)` (undefined -> 404); the
 *   `hash` query parameter only busts client caches, the current document is always served.
 * - `GET /openapi/v2` -> `v2()` (swagger 2.0, JSON), or `v2Protobuf()` when the Accept header
 *   asks for protobuf (what kubectl sends; reply with Content-Type OPENAPI_V2_PROTOBUF_CONTENT_TYPE).
 *
 * Documents are built lazily and cached until `invalidate()` (the resource set changed). The
 * built-in schemas behind them are read from @kubernetes/client-node once per process.
 */
import { createHash } from 'node:crypto';
import { groupVersion, type ResourceInfo } from '../../core/types.ts';
import { builtinSchemas, type BuiltinSchemas } from './builtin-schemas.ts';
import { crdDefinitionName } from './crd-schemas.ts';
import { groupVersionDocument, swaggerDocument, type ResolvedResource } from './documents.ts';
import { packageForGroup } from './client-node-catalog.ts';
import { encodeSwaggerProtobuf } from './v2-protobuf.ts';

/** What kubectl's Accept header asks `/openapi/v2` for (match on `protobuf`). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The Content-Type to answer it with (kubectl rejects the `@` form as a malformed media type). */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export { crdDefinitionName } from './crd-schemas.ts';
export { BuiltinSchemas, builtinSchemas } from './builtin-schemas.ts';
export type { Schema } from './schema-util.ts';

export interface GroupVersionDocument {
  body: object;
  /** Upper-case hex SHA-512 of `json`. */
  hash: string;
  /** `body` serialized, ready to send. */
  json: string;
}

interface State {
  /** 'api/v1', 'apis/apps/v1' ... -> resources, in listing order. */
  groupVersions: Map<string, ResolvedResource[]>;
  documents: Map<string, GroupVersionDocument>;
  v2?: object;
  v2Protobuf?: Buffer;
}

/** The `/openapi/v3` key of a group-version. */
export function openApiV3Path(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `apis/${groupVersion(info)}` : `api/${info.version}`;
}

export class OpenApiPublisher {
  private state: State | undefined;
  /** Documents by group-version with the resources they were built from, kept across invalidate(). */
  private readonly built = new Map<string, { signature: string; doc: GroupVersionDocument }>();

  constructor(
    private readonly listResources: () => ResourceInfo[],
    private readonly schemas: () => BuiltinSchemas = builtinSchemas,
  ) {}

  /** The resource set changed (CRD created/updated/deleted): rebuild on next request. */
  invalidate(): void {
    this.state = undefined;
  }

  v3Index(): object {
    const state = this.current();
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const path of [...state.groupVersions.keys()].sort()) {
      const doc = this.document(state, path)!;
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` };
    }
    return { paths };
  }

  /** `path` like 'api/v1' or 'apis/apps/v1' (a leading '/' or '/openapi/v3/' is tolerated). */
  v3GroupVersion(path: string): GroupVersionDocument | undefined {
    const key = path.replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/\?.*$/, '').replace(/\/+$/, '');
    return this.document(this.current(), key);
  }

  v2(): object {
    const state = this.current();
    state.v2 ??= swaggerDocument([...state.groupVersions.values()].flat(), this.schemas());
    return state.v2;
  }

  /**
   * `v2()` as a protobuf `openapi.v2.Document`, for `GET /openapi/v2` with an Accept header
   * containing `protobuf` (the only form kubectl requests). Without it kubectl cannot validate
   * `kind: List` files client-side and asks for `--validate=false`.
   */
  v2Protobuf(): Buffer {
    const state = this.current();
    state.v2Protobuf ??= encodeSwaggerProtobuf(this.v2());
    return state.v2Protobuf;
  }

  private current(): State {
    if (this.state) return this.state;
    const builtins = this.schemas();
    const groupVersions = new Map<string, ResolvedResource[]>();
    for (const info of this.listResources()) {
      const key = openApiV3Path(info);
      const list = groupVersions.get(key) ?? [];
      if (list.some((r) => r.info.resource === info.resource)) continue;
      list.push(resolve(info, builtins));
      groupVersions.set(key, list);
    }
    for (const key of this.built.keys()) if (!groupVersions.has(key)) this.built.delete(key);
    this.state = { groupVersions, documents: new Map() };
    return this.state;
  }

  private document(state: State, key: string): GroupVersionDocument | undefined {
    let doc = state.documents.get(key);
    if (doc) return doc;
    const resources = state.groupVersions.get(key);
    if (!resources) return undefined;
    // After invalidate() only the group-versions whose resources changed are rebuilt.
    const signature = JSON.stringify(resources.map((r) => r.info));
    const previous = this.built.get(key);
    if (previous?.signature === signature) {
      doc = previous.doc;
    } else {
      const body = groupVersionDocument(key, resources, this.schemas());
      const json = JSON.stringify(body);
      doc = { body, json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
      this.built.set(key, { signature, doc });
    }
    state.documents.set(key, doc);
    return doc;
  }
}

function resolve(info: ResourceInfo, builtins: BuiltinSchemas): ResolvedResource {
  if (info.crd) {
    return {
      info,
      builtin: false,
      kindName: crdDefinitionName(info.group, info.version, info.kind),
      listName: crdDefinitionName(info.group, info.version, info.listKind),
    };
  }
  const kindName =
    builtins.kindDefinition(info) ?? `${packageForGroup(info.group)}.${info.version}.${info.kind}`;
  const listName =
    builtins.kindDefinition({ group: info.group, version: info.version, kind: info.listKind }) ??
    `${packageForGroup(info.group)}.${info.version}.${info.listKind}`;
  return { info, builtin: true, kindName, listName };
}
