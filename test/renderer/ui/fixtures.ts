/** Builders for views used by the renderer unit tests. */
import type { AgentView, StatusEventView, SummaryView } from '../../../src-preload/contract';

export function agentView(agentId: string, overrides: Partial<AgentView> = {}): AgentView {
  return {
    agentId,
    agentName: overrides.agentName ?? agentId,
    agentType: 'demo',
    parentAgentId: null,
    model: null,
    state: 'running',
    health: 'healthy',
    pid: 1000,
    processStatus: 'running',
    exitCode: null,
    signal: null,
    treeCpuPercent: 1,
    treeMemoryMb: 20,
    treeNumThreads: 3,
    runtimeSeconds: 5,
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: null,
    progress: null,
    progressMessage: null,
    descendantCount: 0,
    zombieDescendants: 0,
    error: null,
    notes: [],
    adopted: false,
    stopProgress: null,
    stopReport: null,
    ...overrides,
  };
}

export function agentMap(...agents: AgentView[]): Map<string, AgentView> {
  return new Map(agents.map((agent) => [agent.agentId, agent]));
}

export function summaryView(overrides: Partial<SummaryView> = {}): SummaryView {
  return {
    totalAgents: 0,
    byState: { spawning: 0, running: 0, stopping: 0, completed: 0, failed: 0, cancelled: 0, lost: 0 },
    zombieDescendants: 0,
    totalMemoryMb: 0,
    totalCpuPercent: 0,
    orphanCount: 0,
    ...overrides,
  };
}

export function statusEvent(seq: number, agents: AgentView[], removed: string[] = [], at = new Date(1_700_000_000_000 + seq * 1000).toISOString()): StatusEventView {
  return {
    seq,
    at,
    agents: Object.fromEntries(agents.map((agent) => [agent.agentId, agent])),
    summary: summaryView({ totalAgents: agents.length, totalCpuPercent: seq, totalMemoryMb: seq * 10 }),
    removed,
  };
}
