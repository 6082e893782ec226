/** The controller toolkit in one import; see README.md. */
export * from './api-errors.ts';
export * from './conditions.ts';
export * from './controller.ts';
export * from './event-recorder.ts';
export * from './informer.ts';
export * from './kubernaut-client.ts';
export * from './leader-election.ts';
export * from './object-key.ts';
export * from './ownership.ts';
export * from './resource.ts';
export * from './resource-version.ts';
export * from './work-queue.ts';
