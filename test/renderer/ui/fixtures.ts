/** Builders for views used by the renderer unit tests. */
import { DEFAULT_RESTART_POLICY, DEFAULT_STALL_POLICY, type AgentView, type ExitView, type RunView, type StatusEventView, type SummaryView } from '../../../src-preload/contract';

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
    policies: { restart: DEFAULT_RESTART_POLICY, stall: DEFAULT_STALL_POLICY, guard: null, niceness: null },
    restarts: 0,
    nextRestartAt: null,
    stalledSince: null,
    lastOutputAt: '2025-01-01T00:00:00.000Z',
    guardAlert: null,
    lastExit: null,
    runCount: 1,
    containment: 'cgroup',
    limitEnforcement: { memory: null, cpu: null },
    ...overrides,
  };
}

export function exitView(overrides: Partial<ExitView> = {}): ExitView {
  return {
    kind: 'exited',
    code: 1,
    signal: null,
    stopStage: null,
    stoppedBy: null,
    possiblyOutOfMemory: false,
    spawn: null,
    summary: 'Exited with code 1.',
    ...overrides,
  };
}

export function runView(run: number, overrides: Partial<RunView> = {}): RunView {
  return {
    run,
    trigger: run === 1 ? 'user' : 'restart',
    pid: 2000 + run,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, run * 10)).toISOString(),
    endedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, run * 10 + 2)).toISOString(),
    durationMs: 2000,
    exit: exitView(),
    peakCpuPercent: 12.5,
    peakMemoryMb: 40,
    ...overrides,
  };
}

export function agentMap(...agents: AgentView[]): Map<string, AgentView> {
  return new Map(agents.map((agent) => [agent.agentId, agent]));
}

export function summaryView(overrides: Partial<SummaryView> = {}): SummaryView {
  return {
    totalAgents: 0,
    byState: { spawning: 0, running: 0, paused: 0, stopping: 0, backoff: 0, completed: 0, failed: 0, 'crash-looping': 0, cancelled: 0, lost: 0 },
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
