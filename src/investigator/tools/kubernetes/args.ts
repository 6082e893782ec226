/**
 * Argument schemas shared by the Kubernetes tools. Names are checked before they reach a URL path
 * (no `..`, no slashes), and every string has a length limit.
 */
import { z } from 'zod';

export const kindArg = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9.-]*$/, 'must be a kind such as Pod, StatefulSet, pvc or deployments.apps')
  .describe('Kind, plural or short name: Pod, pods, po, StatefulSet, sts, PersistentVolumeClaim, pvc, ...');

export const nameArg = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?$/, 'must be an object name')
  .refine((s) => !s.includes('..'), { error: 'must be an object name' });

export const namespaceArg = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name');

export const labelSelectorArg = z.string().min(1).max(1000).describe('Label selector, e.g. app=web,tier!=cache');

export const containerArg = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a container name');
