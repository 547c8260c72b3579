/**
 * Engine values → contract views: what the UI may see. Paths the UI needs
 * (the log folder) are passed on deliberately; environment values never are.
 */
import type {
  AgentRequestView,
  AgentView,
  CleanupView,
  HistoryPointView,
  OrphanStopView,
  OrphanView,
  ProcessView,
  RunView,
  SpawnResultView,
  StopReportView,
  SummaryView,
} from '../../src-preload/contract';
import {
  quoteForDisplay,
  type AgentStatus,
  type CleanupReport,
  type DeploymentRequest,
  type DeploymentResponse,
  type HistoryPoint,
  type OrphanProcess,
  type OrphanStopReport,
  type ProcessInfo,
  type ProcessSummary,
  type RunRecord,
  type StopReport,
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
    stopProgress: status.stopProgress === null ? null : { ...status.stopProgress, stageMs: { ...status.stopProgress.stageMs } },
    stopReport: status.stopReport === null ? null : toStopReportView(status.stopReport),
    policies: structuredClone(status.policies),
    restarts: status.restarts,
    nextRestartAt: status.nextRestartAt,
    stalledSince: status.stalledSince,
    lastOutputAt: status.lastOutputAt,
    guardAlert: status.guardAlert === null ? null : { ...status.guardAlert },
    lastExit: status.lastExit === null ? null : structuredClone(status.lastExit),
    runCount: status.runCount,
  };
}

export function toRunView(run: RunRecord): RunView {
  return structuredClone(run);
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

export function toStopReportView(report: StopReport): StopReportView {
  return {
    agentId: report.agentId,
    forced: report.forced,
    outcome: report.outcome,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    processCount: report.processCount,
    endedByStage: { ...report.endedByStage },
    survivors: report.survivors.map((survivor) => ({ ...survivor })),
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

export function toOrphanView(orphan: OrphanProcess): OrphanView {
  return {
    pid: orphan.pid,
    startTime: orphan.startTime,
    agentId: orphan.agentId,
    name: orphan.name,
    ppid: orphan.ppid,
    command: orphan.command,
    startedAt: orphan.startedAt,
  };
}

export function toOrphanStopView(report: OrphanStopReport): OrphanStopView {
  return {
    stopped: report.stopped,
    alreadyEnded: report.alreadyEnded,
    survivors: report.survivors.map((survivor) => ({ ...survivor })),
    refused: report.refused.map((refusal) => ({ ...refusal })),
  };
}
