/**
 * The runtime the UI shows, computed here rather than read from
 * `runtimeSeconds`: status events leave out agents whose view did not change
 * (runtime alone moving is no change), so the view's own figure goes stale
 * while a quiet agent keeps running.
 */
import { runtimeSecondsAt, type AgentView } from '../../src-preload/contract';

/** An ISO time as epoch ms; null when absent or unreadable. */
function msOf(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * At the host's last tick (`lastTickAt`, the host's clock like `startedAt`),
 * with the contract's formula (the engine's); the view's own figure before
 * any tick arrived (the initial list carries a fresh one).
 */
export function runtimeOf(agent: Pick<AgentView, 'startedAt' | 'endedAt' | 'runtimeSeconds'>, lastTickAt: number | null): number {
  return lastTickAt === null ? agent.runtimeSeconds : runtimeSecondsAt(msOf(agent.startedAt), msOf(agent.endedAt), lastTickAt);
}
