/**
 * The few contract values the client and the command need on every run,
 * without loading zod: importing them from the contract would load every
 * schema (zod and ~20 kB of schemas cost several times Node's own start, and
 * `corral ls` must stay near that floor). Each copy is checked against the
 * contract's own value by test/client/client.test.ts.
 */
import type { AgentState } from '../../src-preload/contract';

/** The contract's WIRE_PATH: where the WebSocket is served, on the web host and on the local socket. */
export const WIRE_PATH = '/corral-ws';

/** The contract's LIVE_STATES: states in which the agent's processes may still be alive. */
export const LIVE_STATES: ReadonlySet<AgentState> = new Set<AgentState>(['spawning', 'running', 'paused', 'stopping']);

/** The contract's `isLive`. */
export function isLive(state: AgentState): boolean {
  return LIVE_STATES.has(state);
}
