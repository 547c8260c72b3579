/**
 * Engine values → contract views: what the UI may see. Paths the UI needs
 * (the log folder) are passed on deliberately; environment values never are.
 * Shapes the engine takes from the contract (stop reports, run records,
 * exits, policies, orphans) are the views already: they pass through as they are.
 */
import type {
  AgentRequestView,
  AgentView,
  CleanupView,
  HistoryPointView,
  ProcessView,
  SpawnResultView,
  SummaryView,
} from '../../src-preload/contract';
import {
  quoteForDisplay,
  type AgentStatus,
  type CleanupReport,
  type DeploymentRequest,
  type DeploymentResponse,
  type HistoryPoint,
  type ProcessInfo,
  type ProcessSummary,
} from '../supervisor/index';

export function toAgentView(status: AgentStatus): AgentView {
  return {
    agentId: status.agentId,
    agentName: status.agentName,
    agentType: status.agentType,
    parentAgentId: status.parentAgentId,
    model: status.model,
    state: status.state,
    health: status.health,
    pid: status.pid,
    processStatus: status.processStatus,
    exitCode: status.exitCode,
    signal: status.signal,
    treeCpuPercent: status.treeCpuPercent,
    treeMemoryMb: status.treeMemoryMb,
    treeNumThreads: status.treeNumThreads,
    runtimeSeconds: status.runtimeSeconds,
    startedAt: status.startedAt,
    endedAt: status.endedAt,
    progress: status.progress,
    progressMessage: status.progressMessage,
    descendantCount: status.descendantCount,
    zombieDescendants: status.zombieDescendants,
    error: status.error,
    notes: [...status.notes],
    adopted: status.adopted,
    stopProgress: status.stopProgress,
    stopReport: status.stopReport,
    policies: status.policies,
    restarts: status.restarts,
    nextRestartAt: status.nextRestartAt,
    stalledSince: status.stalledSince,
    lastOutputAt: status.lastOutputAt,
    guardAlert: status.guardAlert,
    lastExit: status.lastExit,
    runCount: status.runCount,
    containment: status.containment,
    pressure: status.pressure ?? null,
    limitEnforcement: status.limitEnforcement,
  };
}

export function toSummaryView(summary: ProcessSummary): SummaryView {
  return {
    totalAgents: summary.totalAgents,
    byState: { ...summary.byState },
    zombieDescendants: summary.zombieDescendants,
    totalMemoryMb: summary.totalMemoryMb,
    totalCpuPercent: summary.totalCpuPercent,
    orphanCount: summary.orphanCount,
  };
}

export function toCleanupView(report: CleanupReport): CleanupView {
  return { stopped: [...report.stopped], unkillable: [...report.unkillable], alreadyEnded: [...report.alreadyEnded] };
}

export function toRequestView(request: DeploymentRequest, status: Pick<AgentStatus, 'logDir' | 'secretEnvKeys'>): AgentRequestView {
  return {
    requestId: request.requestId,
    agentId: request.agentId,
    agentName: request.agentName,
    agentType: request.agentType,
    parentAgentId: request.parentAgentId ?? null,
    model: request.model ?? null,
    prompt: request.prompt ?? null,
    loadPercentage: request.loadPercentage ?? null,
    command: [...request.command],
    cmdline: request.command.map(quoteForDisplay).join(' '),
    cwd: request.cwd ?? null,
    envKeys: Object.keys(request.env ?? {}).sort(),
    secretEnvKeys: [...status.secretEnvKeys],
    stdinBytes: request.stdin === undefined ? null : Buffer.byteLength(request.stdin),
    logDir: status.logDir,
  };
}

export function toHistoryView(points: HistoryPoint[]): HistoryPointView[] {
  return points.map((point) => ({ at: point.at, treeCpuPercent: point.treeCpuPercent, treeMemoryMb: point.treeMemoryMb }));
}

export function toProcessView(process: ProcessInfo): ProcessView {
  return {
    pid: process.pid,
    ppid: process.ppid,
    status: process.status,
    cpuPercent: process.cpuPercent,
    memoryMb: process.memoryMb,
    numThreads: process.numThreads,
    name: process.name,
    command: process.command,
  };
}

export function toSpawnResultView(response: DeploymentResponse): SpawnResultView {
  return {
    agentId: response.agentId,
    status: response.status,
    pid: response.pid ?? null,
    exitCode: response.exitCode ?? null,
    signal: response.signal ?? null,
    error: response.error ?? null,
    errorCode: response.errorKind ?? null,
  };
}
