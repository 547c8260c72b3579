import type { AgentState, AgentStatus, CleanupReport, ProcessSummary, StopReport } from './types';

/** Totals over a set of statuses: the one place that counts agents by state and adds up their trees. */
export function summarise(agents: AgentStatus[], orphanCount = 0): ProcessSummary {
  const byState: Record<AgentState, number> = { spawning: 0, running: 0, paused: 0, stopping: 0, backoff: 0, completed: 0, failed: 0, 'crash-looping': 0, cancelled: 0, lost: 0 };
  let totalMemoryMb = 0;
  let totalCpuPercent = 0;
  let zombie = 0;
  let stalled = 0;
  let zombieDescendants = 0;
  for (const status of agents) {
    byState[status.state]++;
    if (status.health === 'zombie') zombie++;
    if (status.health === 'stalled') stalled++;
    zombieDescendants += status.zombieDescendants;
    totalMemoryMb += status.treeMemoryMb ?? 0;
    totalCpuPercent += status.treeCpuPercent ?? 0;
  }
  return {
    totalAgents: agents.length,
    byState,
    running: byState.running,
    zombie,
    completed: byState.completed,
    failed: byState.failed,
    cancelled: byState.cancelled,
    lost: byState.lost,
    crashLooping: byState['crash-looping'],
    stalled,
    zombieDescendants,
    totalMemoryMb: Math.round(totalMemoryMb * 100) / 100,
    totalCpuPercent: Math.round(totalCpuPercent * 10) / 10,
    orphanCount,
    agents,
  };
}

/** One cleanup's reports, sorted by outcome. */
export function cleanupReport(reports: readonly StopReport[]): CleanupReport {
  const result: CleanupReport = { stopped: [], unkillable: [], alreadyEnded: [], reports: {} };
  for (const report of reports) {
    result.reports[report.agentId] = report;
    if (report.outcome === 'stopped') result.stopped.push(report.agentId);
    else if (report.outcome === 'unkillable') result.unkillable.push(report.agentId);
    else result.alreadyEnded.push(report.agentId);
  }
  return result;
}
