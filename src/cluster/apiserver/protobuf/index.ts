/**
 * Decoding of Kubernetes protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`).
 *
 * kubectl's typed clients (core clients default to protobuf since ~1.31) send create/update
 * bodies in this encoding: the magic bytes "k8s\0" followed by a `runtime.Unknown` envelope
 * whose raw field holds the object's message. This module turns such a body into the object
 * the JSON encoding would have produced (field names, omitempty rules, Time as RFC 3339,
 * Quantity as string, IntOrString as number or string, bytes as base64), so the JSON handlers
 * can process it unchanged. Field numbers come from the Kubernetes `generated.proto` wire
 * definitions, recorded as compact per-message tables in ./tables.
 */
import { decodeEnvelope, type DecodeOptions } from './decode.ts';
import { supportedKinds } from './kinds.ts';
import { ProtobufDecodeError } from './wire.ts';

export { ProtobufDecodeError };
export type { DecodeOptions };

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Decodes a kubernetes protobuf request body; throws ProtobufDecodeError for bad bytes or unknown kinds. */
export function decodeKubernetesProtobuf(
  body: Buffer | Uint8Array,
  options: DecodeOptions = {},
): { apiVersion: string; kind: string; [k: string]: unknown } {
  return decodeEnvelope(body, options);
}

/** The `apiVersion/Kind` pairs that can be decoded ('v1/Namespace', 'apps/v1/Deployment', ...; '*' = any version). */
export function supportedProtobufKinds(): string[] {
  return supportedKinds();
}
