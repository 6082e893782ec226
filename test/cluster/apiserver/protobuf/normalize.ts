/** Helpers shared by the fixture and live kubectl tests. */
import { decodeKubernetesProtobuf } from '../../../../src/cluster/apiserver/protobuf/index.ts';

/** Go's JSON writes unset pointers/zero times as null; the decoder omits them. */
export function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

/** A captured body as an object: protobuf is decoded, JSON parsed. */
export function decodeBody(
  body: Buffer, contentType: string, onUnknownField?: (message: string, field: number) => void,
): Record<string, unknown> {
  if (contentType.includes('protobuf')) return decodeKubernetesProtobuf(body, { onUnknownField });
  return withoutNulls(JSON.parse(body.toString('utf8'))) as Record<string, unknown>;
}
