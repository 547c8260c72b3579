/**
 * What every agent runner shares: the engine's services, never another
 * agent's state. The engine builds one and hands it to each runner.
 */
import { lstatSync } from 'node:fs';
import type { Emitter } from '../events';
import type { LogTail } from '../logs/log-tail';
import type { ProcessReader } from '../process/process-table';
import type { SnapshotCache } from '../process/snapshot-cache';
import type { PersistedAgent } from '../state/state-store';
import type { StopTimeouts, SupervisorEvents } from '../types';
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
  readonly secretBox: SecretBox | null;
  readonly events: Emitter<SupervisorEvents>;
  /** The sequence number of the next state or status event. */
  nextSeq(): number;
  /** Saves state.json: coalesced, or at once. */
  save(at: 'soon' | 'now'): void;
  /** Puts one agent's record on disk before returning, at the cost of that record alone (the spawn journal, state-store.ts). */
  saveAhead(agentId: string, record: PersistedAgent): void;
  warn(message: string): void;
  isClosed(): boolean;
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
