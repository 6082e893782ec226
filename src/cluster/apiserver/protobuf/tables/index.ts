/** All message tables, keyed by message name (names are unique across the groups covered). */
import { APPS_V1 } from './apps.ts';
import { CORE_V1 } from './core.ts';
import {
  AUTHENTICATION_V1, AUTHORIZATION_V1, AUTOSCALING_V1, BATCH_V1, NETWORKING_V1, POLICY_V1, RBAC_V1, SCHEDULING_V1,
} from './groups.ts';
import { META_V1 } from './meta.ts';
import type { MessageTables } from './types.ts';

export const TABLE_GROUPS: Readonly<Record<string, MessageTables>> = {
  'meta/v1': META_V1,
  'core/v1': CORE_V1,
  'apps/v1': APPS_V1,
  'batch/v1': BATCH_V1,
  'policy/v1': POLICY_V1,
  'rbac/v1': RBAC_V1,
  'scheduling/v1': SCHEDULING_V1,
  'networking/v1': NETWORKING_V1,
  'authorization/v1': AUTHORIZATION_V1,
  'authentication/v1': AUTHENTICATION_V1,
  'autoscaling/v1': AUTOSCALING_V1,
};

export const MESSAGE_TABLES: MessageTables = Object.assign({}, ...Object.values(TABLE_GROUPS));
