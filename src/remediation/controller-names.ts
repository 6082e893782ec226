/** The remediation controllers by their short names (those of their CRDs), as `kubernaut controllers --only` takes them. */
export const CONTROLLER_NAMES = ['sp', 'ro', 'aa', 'we', 'ea', 'nr'] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];
