/** The alerting choices of `kubernaut up`, apart from the alerting code so the command line can show them without loading it. */
export type AlertingMode = 'embedded' | 'external' | 'none';
export const ALERTING_MODES: readonly AlertingMode[] = ['embedded', 'external', 'none'];

/** Where users are told to look for alerts (the reference scenario's README says so). */
export const DEFAULT_PROMETHEUS_PORT = 9190;
export const DEFAULT_ALERTMANAGER_PORT = 9093;
