/**
 * What every agent runner shares: the engine's services, never another
 * agent's state. The engine builds one and hands it to each runner.
 */
import { lstatSync } from 'node:fs';
import type { Emitter } from '../events';
import type { LogTail } from '../logs/log-tail';
import type { ProcessReader } from '../process/process-table';
import type { SnapshotCache } from '../process/snapshot-cache';
import type { Containment } from '../process/cgroup/containment';
import type { PersistedAgent } from '../state/state-store';
import type { DeploymentRequest, KillOptions, StopReport, StopTimeouts, SupervisorEvents } from '../types';
import type { SecretBox } from './secrets';

/** What every runner shares: the engine's services, never another agent's state. */
export interface RunnerContext {
  readonly dataDir: string;
  readonly bootId: string | null;
  readonly reader: ProcessReader;
  readonly snapshots: SnapshotCache;
  readonly logTail: LogTail;
  readonly timeouts: StopTimeouts;
  readonly historyCapacity: number;
  /** A cgroup per agent (process/cgroup/); null where the heuristic tracker does the work. */
  readonly containment: Containment | null;
  /** The host's box; set by the engine's start, before any runner exists. */
  secretBox: SecretBox | null;
  /** What is spawned for a run's request (SupervisorOptions.resolveRequest); never saved. */
  readonly resolveRequest: (request: DeploymentRequest) => DeploymentRequest;
  readonly events: Emitter<SupervisorEvents>;
  /** The sequence number of the next state or status event. */
  nextSeq(): number;
  /** Saves state.json: coalesced, or at once. */
  save(at: 'soon' | 'now'): void;
  /** Puts one agent's record on disk before returning, at the cost of that record alone (the spawn journal, state-store.ts). */
  saveAhead(agentId: string, record: PersistedAgent): void;
  warn(message: string): void;
  isClosed(): boolean;
  /** Stops the agent's sub-agents before it, when its policy says so (stop-children.ts); their reports, flat. */
  stopChildren(agentId: string, options: KillOptions, requestedAt: number): Promise<StopReport[]>;
  /** What the host tells every agent it starts (CORRAL_SOCKET, CORRAL_DATA_DIR), read at each spawn. */
  agentEnv(): Readonly<Record<string, string>>;
}

/** Size of a log in the agent's folder: 0 when it is missing or not a plain file (a link is not followed: the tail refuses it anyway). */
export function fileSize(file: string): number {
  try {
    const stats = lstatSync(file);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
