/**
 * Corral's engine. Everything else (Electron IPC, the web host, the bench,
 * the tests) goes through `createSupervisor`.
 */
export { createSupervisor, type Supervisor, type SupervisorOptions } from './supervisor';
export { CorralError } from './errors';
export type { OrphanProcess, OrphanStopReport } from './process/orphans';
export type { ProcessIdentity } from './process/process-table';
export { AGENT_ID_PATTERN, deploymentRequestSchema } from './request-schema';
export type { ConfOptions, KeyValueFile } from './state/state-store';
export type { SecretBox, SecretStorage } from './agent/secrets';
export type { PolicyChange } from './supervisor';
export type * from './types';
export { LIVE_STATES } from './types';
export { summarise } from './summary';
export { quoteForDisplay } from './process/quote';
export { resolveExecutable, type Resolution } from './agent/resolve-executable';
export { assertNever, errnoOf, messageOf } from './errors';
export { openJsonFile, type FileDescription, type OpenFile } from './state/json-file';
