/** The remediation controllers by their short names (those of their CRDs), as `kubernaut controllers --only` takes them. */
export const CONTROLLER_NAMES = ['sp', 'ro', 'aa'] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];
