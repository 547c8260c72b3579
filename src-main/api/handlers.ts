/**
 * What each contract call does, in terms of the engine. Inputs arrive parsed
 * by the call's schema (see `dispatch.ts`); outputs are contract views.
 */
import type { CallInput, CallName, CallOutput } from '../../src-preload/contract';
import type { Supervisor } from '../supervisor/index';
import { CallFailure } from './call-failure';
import { listPresets } from './presets';
import type { HostAdapter } from './service';
import type { SettingsStore } from './settings';
import {
  toAgentView,
  toCleanupView,
  toHistoryView,
  toProcessView,
  toRequestView,
  toSpawnResultView,
  toSummaryView,
} from './views';

export type Handlers = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> };

/** What a handler may change about the client that called it. */
export interface ClientContext {
  follow(agentIds: readonly string[]): void;
}

export function createHandlers(engine: Supervisor, host: HostAdapter, client: ClientContext, settings: SettingsStore): Handlers {
  return {
    getHostInfo: async () => ({
      host: host.host,
      version: host.version,
      platform: process.platform,
      dataDir: engine.dataDir,
      canOpenFolders: host.openFolder !== undefined,
      warnings: [...engine.warnings, ...settings.warnings],
      secretStorage: engine.secretStorage,
      metricsUrl: host.metricsUrl ?? null,
    }),
    monitorAllAgents: async () => {
      const statuses = await engine.monitorAllAgents();
      return Object.fromEntries(Object.entries(statuses).map(([id, status]) => [id, toAgentView(status)]));
    },
    getProcessSummary: async () => toSummaryView(await engine.getProcessSummary()),
    getAgent: async ({ agentId }) => toAgentView(await engine.getAgentStatus(agentId)),
    getAgentRequest: async ({ agentId }) => {
      const [request, status] = await Promise.all([engine.getAgentRequest(agentId), engine.getAgentStatus(agentId)]);
      return toRequestView(request, status);
    },
    getAgentHistory: async ({ agentId }) => toHistoryView(await engine.getAgentHistory(agentId)),
    getProcessTree: async ({ agentId }) => (await engine.getProcessTree(agentId)).map(toProcessView),
    listPresets: async () => listPresets(host),
    spawnAgent: async (request) => toSpawnResultView(await engine.spawnAgent(request)),
    runAgain: async ({ agentId }) => toSpawnResultView(await engine.runAgain(agentId)),
    restartAgent: async ({ agentId }) => toSpawnResultView(await engine.restartAgent(agentId)),
    pauseAgent: async ({ agentId }) => toAgentView(await engine.pauseAgent(agentId)),
    resumeAgent: async ({ agentId }) => toAgentView(await engine.resumeAgent(agentId)),
    stopAgent: async ({ agentId, force }) => {
      const { reports } = await engine.cleanup({ agentId, force });
      return reports[agentId]!; // the engine's StopReport is the contract's StopReportView
    },
    stopAll: async ({ force }) => toCleanupView(await engine.cleanup({ force })),
    removeAgent: async ({ agentId }) => {
      await engine.removeAgent(agentId);
      return null;
    },
    removeFinished: () => engine.removeFinished(),
    reapZombies: () => engine.reapZombies(),
    readLog: async ({ agentId, stream, before, maxBytes }) => {
      const slice = await engine.readLog(agentId, stream, { before, maxBytes });
      return { agentId, stream, offset: slice.offset, data: Buffer.from(slice.data).toString('base64'), size: slice.size, seen: slice.seen };
    },
    followLogs: async ({ agentIds }) => {
      client.follow(agentIds);
      return null;
    },
    listOrphans: () => engine.findOrphans(),
    stopOrphans: ({ orphans, force }) => engine.stopOrphans(orphans, { force }),
    getRunHistory: ({ agentId }) => engine.getRunHistory(agentId),
    updateAgentPolicies: async ({ agentId, ...change }) => toAgentView(await engine.updatePolicies(agentId, change)),
    getSettings: async () => settings.get(),
    updateSettings: async ({ notifications }) => settings.update(notifications),
    openLogFolder: async ({ agentId }) => {
      if (host.openFolder === undefined) {
        throw new CallFailure('unsupported', 'This host cannot open folders; the log folder is shown on the Request tab.');
      }
      await host.openFolder((await engine.getAgentStatus(agentId)).logDir);
      return null;
    },
  };
}
