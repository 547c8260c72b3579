/**
 * What `apply` and `down` need from a Corral host: the CLI implements it with
 * the typed client over the socket, the tests with an engine in-process.
 * Small on purpose: every decision (what changed, what to wait for, in which
 * order) lives in this folder, the target only carries calls and events.
 */
import type { AgentState, LogStream, SpawnRequest } from '../../../src-preload/contract';

/** An agent as a condition sees it. */
export interface AgentSnapshot {
  agentId: string;
  state: AgentState;
  /** The latest run's exit code, when it exited with one. */
  exitCode: number | null;
}

/** An agent as the planner sees it. */
export interface CurrentAgent extends AgentSnapshot {
  /** Names of its environment variables (`getAgentRequest().envKeys`): the fingerprint is one of them. */
  envKeys: readonly string[];
}

/** A call's outcome; `message` says what went wrong in words a user can act on. */
export type TargetOutcome = { ok: true } | { ok: false; message: string };

export interface ApplyTarget {
  /** Those of `agentIds` the host knows (in any state); the others are left out. */
  list(agentIds: readonly string[]): Promise<CurrentAgent[]>;
  /** `spawnAgent`: ok when the program started (even if it has already ended); not ok when it could not start or was refused. */
  spawn(request: SpawnRequest): Promise<TargetOutcome>;
  /** The staged stop of the agent's whole tree (`stopAgent`), resolved when it is over; ok when nothing of it is left alive. */
  stop(agentId: string): Promise<TargetOutcome>;
  /**
   * Calls `listener` with the agent's snapshot soon after the call and again at
   * every change of state (or every status tick) until the returned function is
   * called. With the client: `getAgent` once, then the `status` events.
   */
  watch(agentId: string, listener: (agent: AgentSnapshot) => void): () => void;
  /**
   * Calls `onText` with the agent's output as it is written, per stream, decoded
   * as UTF-8, until the returned function is called. `from: 'start'` first
   * delivers what its log files already hold; `'end'` only what is written after
   * this call resolves (what the next run writes, when called before a spawn).
   * With the client: `readLog` for the start, then `followLogs` + `log` events.
   */
  followLog(agentId: string, from: 'start' | 'end', onText: (stream: LogStream, text: string) => void): Promise<() => void>;
}
