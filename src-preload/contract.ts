/**
 * The contract between the UI and the main process: every call, its channel,
 * its input schema and its output type, in one place.
 *
 * Main (`src-main/ipc`), the preload bridge and the renderer all take their
 * types from here, so adding a call means adding one entry to `calls` and the
 * compiler points at every place that must follow. This module imports nothing
 * but zod: it is loaded in the renderer's world too, and must not drag the
 * engine (or Node) in with it. The view types below are therefore declared
 * here, as structural subsets of the engine's own types.
 *
 * Minimal for now: read-only monitoring calls. Commands and events come later.
 */
import { z } from 'zod';

// ── Views: what the UI is allowed to see ─────────────────────────────────────

/** Lifecycle of one agent run. `lost`: it ended while Corral was not running. */
export type AgentState = 'spawning' | 'running' | 'stopping' | 'completed' | 'failed' | 'cancelled' | 'lost';

/** What a glance at an agent should say. */
export type AgentHealth = 'healthy' | 'zombie' | 'completed' | 'failed' | 'cancelled' | 'unknown';

/** One agent's status, as the UI shows it. */
export interface AgentStatusView {
  /** Stable agent id, `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`. */
  agentId: string;
  /** Lifecycle state. */
  state: AgentState;
  /** Health verdict. */
  health: AgentHealth;
  /** Root process id, for display only; null before start or after it is gone. */
  pid: number | null;
  /** Root process CPU, psutil scale (100 = one core busy). Null when it could not be read. */
  cpuPercent: number | null;
  /** Root process resident memory in MB. Null when it could not be read. */
  memoryMb: number | null;
  /** Seconds since the agent started (up to its end, once ended). */
  runtimeSeconds: number;
}

/** Aggregate figures over every known agent. */
export interface ProcessSummaryView {
  /** Number of agents Corral knows about, in any state. */
  totalAgents: number;
  /** Agent count per lifecycle state. */
  byState: Record<AgentState, number>;
  /** Agents whose root process is running. */
  running: number;
  /** Agents whose root process is a zombie. */
  zombie: number;
  /** Agents that ended on their own with success. */
  completed: number;
  /** Agents that failed to start or ended with failure. */
  failed: number;
  /** Resident memory of every live agent tree, in MB. */
  totalMemoryMb: number;
  /** CPU of every live agent tree, psutil scale. */
  totalCpuPercent: number;
}

// ── Results: what every call returns across the bridge ───────────────────────

/** Every error code a call may return. Closed: the UI switches on it. */
export const ERROR_CODES = [
  'invalid-argument',
  'not-found',
  'already-running',
  'spawn-failed',
  'permission-denied',
  'io-error',
  'closed', // the engine is shutting down
  'forbidden', // the request did not come from our own window's main frame
  'internal', // a bug or an unexpected failure; the message says what
] as const;

/** Why a call failed, for programs. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A failed call's error, serialised by us (never by Electron). */
export interface CallError {
  code: ErrorCode;
  /** What went wrong, in words a user can act on. */
  message: string;
}

/** The answer to every call. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CallError };

// ── Calls ────────────────────────────────────────────────────────────────────

/** Type-only key that carries a call's output type; no value ever has it. */
declare const outputType: unique symbol;

/** One request/response call. */
export interface CallSpec<TInput extends z.ZodType = z.ZodType, TOutput = unknown> {
  /** The IPC channel (and WebSocket method) name. */
  readonly channel: `corral:${string}`;
  /** Schema of the single argument; main parses every payload with it before use. */
  readonly input: TInput;
  /** Type-only: the value an ok result carries. */
  readonly [outputType]?: TOutput;
}

/** Declares a call whose ok result carries a `TOutput`. */
function defineCall<TOutput>() {
  return <TInput extends z.ZodType>(spec: {
    channel: `corral:${string}`;
    input: TInput;
  }): CallSpec<TInput, TOutput> => spec;
}

/** Every call, by name. The name is the method on `window.corral`. */
export const calls = {
  /** Every agent's status, keyed by agent id. */
  monitorAllAgents: defineCall<Record<string, AgentStatusView>>()({
    channel: 'corral:monitorAllAgents',
    input: z.void(),
  }),
  /** Totals over every agent. */
  getProcessSummary: defineCall<ProcessSummaryView>()({
    channel: 'corral:getProcessSummary',
    input: z.void(),
  }),
} as const;

/** The name of a call. */
export type CallName = keyof typeof calls;

/** A call's input, as the caller passes it. */
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;

/** A call's output, carried by an ok result. */
export type CallOutput<K extends CallName> = (typeof calls)[K] extends CallSpec<z.ZodType, infer O> ? O : never;

/** A call's arguments: none when its input is void. */
export type CallArgs<K extends CallName> = [CallInput<K>] extends [void] ? [] : [input: CallInput<K>];

/** The API the preload exposes as `window.corral`: one method per call. */
export type CorralApi = {
  readonly [K in CallName]: (...args: CallArgs<K>) => Promise<Result<CallOutput<K>>>;
};
