/**
 * Field tables for `k8s.io/apimachinery/pkg/apis/meta/v1` messages (see ./types.ts).
 * Time, MicroTime, FieldsV1, IntOrString, Quantity and RawExtension are decoded by
 * built-in types of the decoder rather than by tables.
 */
import type { MessageTables } from './types.ts';

export const META_V1: MessageTables = {
  ObjectMeta: {
    1: ['name', 's'], 2: ['generateName', 's'], 3: ['namespace', 's'], 4: ['selfLink', 's'], 5: ['uid', 's'],
    6: ['resourceVersion', 's'], 7: ['generation', 'l'], 8: ['creationTimestamp', 'time'],
    9: ['deletionTimestamp', 'time'], 10: ['deletionGracePeriodSeconds', 'l!'], 11: ['labels', 'map:s'],
    12: ['annotations', 'map:s'], 13: ['ownerReferences', '[]OwnerReference'], 14: ['finalizers', '[]s'],
    17: ['managedFields', '[]ManagedFieldsEntry'],
  },
  OwnerReference: {
    5: ['apiVersion', 's!'], 1: ['kind', 's!'], 3: ['name', 's!'], 4: ['uid', 's!'], 6: ['controller', 'b!'],
    7: ['blockOwnerDeletion', 'b!'],
  },
  ManagedFieldsEntry: {
    1: ['manager', 's'], 2: ['operation', 's'], 3: ['apiVersion', 's'], 4: ['time', 'time'], 6: ['fieldsType', 's'],
    7: ['fieldsV1', 'raw'], 8: ['subresource', 's'],
  },
  ListMeta: { 1: ['selfLink', 's'], 2: ['resourceVersion', 's'], 3: ['continue', 's'], 4: ['remainingItemCount', 'l!'] },
  LabelSelector: { 1: ['matchLabels', 'map:s'], 2: ['matchExpressions', '[]LabelSelectorRequirement'] },
  LabelSelectorRequirement: { 1: ['key', 's!'], 2: ['operator', 's!'], 3: ['values', '[]s'] },
  FieldSelectorRequirement: { 1: ['key', 's!'], 2: ['operator', 's!'], 3: ['values', '[]s'] },
  Condition: {
    1: ['type', 's!'], 2: ['status', 's!'], 3: ['observedGeneration', 'l'], 4: ['lastTransitionTime', 'time'],
    5: ['reason', 's!'], 6: ['message', 's!'],
  },
  DeleteOptions: {
    1: ['gracePeriodSeconds', 'l!'], 2: ['preconditions', 'Preconditions'], 3: ['orphanDependents', 'b!'],
    4: ['propagationPolicy', 's!'], 5: ['dryRun', '[]s'], 6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'b!'],
  },
  Preconditions: { 1: ['uid', 's!'], 2: ['resourceVersion', 's!'] },
  CreateOptions: { 1: ['dryRun', '[]s'], 3: ['fieldManager', 's'], 4: ['fieldValidation', 's'] },
  UpdateOptions: { 1: ['dryRun', '[]s'], 2: ['fieldManager', 's'], 3: ['fieldValidation', 's'] },
  Status: {
    1: ['metadata', 'ListMeta'], 2: ['status', 's'], 3: ['message', 's'], 4: ['reason', 's'],
    5: ['details', 'StatusDetails'], 6: ['code', 'i'],
  },
  StatusDetails: {
    1: ['name', 's'], 2: ['group', 's'], 3: ['kind', 's'], 6: ['uid', 's'], 4: ['causes', '[]StatusCause'],
    5: ['retryAfterSeconds', 'i'],
  },
  StatusCause: { 1: ['reason', 's'], 2: ['message', 's'], 3: ['field', 's'] },
};
