/**
 * The contract served over the engine; see `service.ts` for the shape.
 */
import type { AgentView, EventPayloads, NoticeView, StatusEventView } from '../../src-preload/contract';
import { summarise, type AgentStatus, type OpenFile, type Supervisor } from '../supervisor/index';
import { dispatch } from './dispatch';
import { createHandlers } from './handlers';
import { LogFeed } from './log-feed';
import { noticesBetween } from './notices';
import { SettingsStore } from './settings';
import type { ContractClient, ContractService, EventSink, HostAdapter } from './service';
import { hasChanged } from './view-changes';
import { toAgentView, toSummaryView } from './views';

export type { ContractClient, ContractService, EventSink, HostAdapter } from './service';

export interface ContractServiceOptions {
  /** Opens the settings file for writing: conf by default; the desktop app passes electron-store, as it does for the engine's state. */
  openStore?: OpenFile;
}

export function createContractService(engine: Supervisor, host: HostAdapter, options: ContractServiceOptions = {}): ContractService {
  /** `synced` once the client was sent a status event with every agent: from then on, only those that changed. */
  const clients = new Set<{ sink: EventSink; feed: LogFeed; synced: boolean }>();
  let previous: Record<string, AgentView> = {};
  let hasSeenStatus = false;

  const broadcast = <E extends keyof EventPayloads>(event: E, payload: EventPayloads[E]) => {
    for (const client of clients) client.sink(event, payload);
  };

  // The one gate every notice passes: a kind the user turned off is neither shown by the host nor sent to any client.
  // `opened` is null only while the settings file is being read: a problem with that file is always told.
  let opened: SettingsStore | null = null;
  const tell = (notice: NoticeView) => {
    if (opened?.allows(notice.kind) === false) return;
    host.notify?.(notice);
    broadcast('notice', notice);
  };
  const settings = SettingsStore.open(engine.dataDir, (message) => tell(warningNotice(message, new Date().toISOString())), options.openStore);
  opened = settings;

  const onStatus = (seq: number, at: string, statuses: Record<string, AgentStatus>, orphanCount: number) => {
    const agents: Record<string, AgentView> = {};
    const changed: Record<string, AgentView> = {};
    for (const [id, status] of Object.entries(statuses)) {
      const view = (agents[id] = toAgentView(status));
      if (!hasChanged(previous[id], view)) continue;
      changed[id] = view;
      // An agent new since the last tick started in this session: a failure before its first tick is still news.
      // On the very first tick every agent is old news (e.g. failed before a restart).
      const before = previous[id] ?? (hasSeenStatus ? asStarted(view) : undefined);
      for (const notice of noticesBetween(before, view, at)) tell(notice);
    }
    const removed = Object.keys(previous).filter((id) => !(id in agents));
    const event: StatusEventView = { seq, at, agents: changed, summary: toSummaryView(summarise(Object.values(statuses), orphanCount)), removed };
    previous = agents;
    hasSeenStatus = true;
    for (const client of clients) {
      client.sink('status', client.synced ? event : { ...event, agents });
      client.synced = true;
    }
  };

  const unsubscribes = [
    engine.on('status', (event) => onStatus(event.seq, event.at, event.agents, event.orphanCount)),
    engine.on('log', (event) => {
      for (const client of clients) client.feed.push(event);
    }),
    engine.on('warning', ({ message, at }) => tell(warningNotice(message, at))),
    // A stop's stage began: show it now rather than at the next tick.
    engine.on('stopStage', () => void engine.sampleNow().catch(() => undefined)),
  ];

  return {
    connect(sink: EventSink): ContractClient {
      const feed = new LogFeed((event) => sink('log', event));
      const client = { sink, feed, synced: false };
      clients.add(client);
      const handlers = createHandlers(engine, host, { follow: (agentIds) => feed.follow(agentIds) }, settings);
      return {
        call: (name, input) => dispatch(handlers, name, input),
        close() {
          feed.close();
          clients.delete(client);
        },
      };
    },
    close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      for (const client of clients) client.feed.close();
      clients.clear();
    },
  };
}

/** How an agent looked when it was started: the baseline for the notices of one first seen already further along. */
function asStarted(view: AgentView): AgentView {
  return { ...view, state: 'spawning', health: 'unknown', zombieDescendants: 0, stopReport: null, stalledSince: null, guardAlert: null };
}

function warningNotice(message: string, at: string): NoticeView {
  return { kind: 'warning', agentId: null, title: 'Corral warning', body: message, at };
}
