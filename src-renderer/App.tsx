/**
 * The shell: summary header, the agents tree beside the opened agent's
 * detail, the New agent dialog, confirmations, notices and banners. Owns the
 * few pieces of state that tie those together (selection, opened agent,
 * which dialog is up); everything the host reports lives in the store.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CorralApi } from '../src-preload/contract';
import { AgentsPane } from './agents/AgentsPane';
import { AgentDetail } from './detail/AgentDetail';
import { plural } from './format/format';
import type { NewAgentForm } from './new-agent/build-request';
import { duplicateForm } from './new-agent/duplicate';
import { NewAgentDialog } from './new-agent/NewAgentDialog';
import { askNotificationPermissionOnce } from './notices/desktop-notify';
import { OrphansDialog } from './orphans/OrphansDialog';
import { SettingsDialog } from './settings/SettingsDialog';
import { useSettings } from './settings/use-settings';
import { Notifications } from './notices/Notifications';
import { useNotices } from './notices/use-notices';
import { ConnectionBanner } from './shell/ConnectionBanner';
import { HostWarnings } from './shell/HostWarnings';
import { finishedIdsOf, liveCountOf } from './state/agent-counts';
import { isActive } from './state/agent-state';
import { settle } from './state/call-result';
import { useAgentActions } from './state/use-agent-actions';
import { useAgentRoute } from './state/agent-route';
import { ConnectionContext, OFFLINE_REASON, useConnectionTracking } from './state/use-connection';
import { useCorralStore, type CorralFeed } from './state/use-corral-state';
import type { CorralSnapshot } from './state/corral-store';
import { selectEmpty, selectLoaded, useStoreSlice } from './state/use-store-slice';
import { useHostInfo } from './state/use-host-info';
import { StopAllStatus, type StopAllState } from './summary/StopAll';
import { SummaryHeader } from './summary/SummaryHeader';
import { ConfirmDialog } from './ui/ConfirmDialog';

type Confirmation =
  | { kind: 'stop'; agentId: string; agentName: string; isWaitingToRestart: boolean }
  | { kind: 'force-kill'; agentId: string; agentName: string }
  | { kind: 'remove'; agentId: string; agentName: string }
  | { kind: 'stop-all'; count: number }
  | { kind: 'clear-finished'; agentIds: string[] };

/** `feed` is the store already fed by the host (started before this first renders, see use-corral-state.ts). */
export function App({ api, feed }: { api: CorralApi; feed: CorralFeed }) {
  const { store, loadError } = useCorralStore(feed);
  // Slices, not the whole snapshot: a status tick must not re-render the App (the header, list and detail read what they show).
  const loaded = useStoreSlice(store, selectLoaded);
  const empty = useStoreSlice(store, selectEmpty);
  const hostInfo = useHostInfo(api);
  const actions = useAgentActions(api, store);
  const settings = useSettings(api);
  const notices = useNotices(api, hostInfo?.host === 'web', settings.settings?.notifications ?? null);
  const connected = useConnectionTracking();

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openedId, setOpenedId] = useState<string | null>(null);
  const [newAgentOpen, setNewAgentOpen] = useState(false);
  // Duplicate: New agent opens with this form (new-agent/duplicate.ts) instead of a preset's.
  const [duplicateOf, setDuplicateOf] = useState<((suffix: string) => NewAgentForm) | null>(null);
  const [clearError, setClearError] = useState<string | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [stopAll, setStopAll] = useState<StopAllState>({ phase: 'idle' });
  const [orphansOpen, setOrphansOpen] = useState(false);
  const openOrphans = useCallback(() => setOrphansOpen(true), []);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const openSettings = useCallback(() => setSettingsOpen(true), []);

  const openNewAgent = useCallback(() => {
    // A user gesture: the one moment it is fair to ask about notifications.
    askNotificationPermissionOnce();
    setDuplicateOf(null);
    setNewAgentOpen(true);
  }, []);

  const dialogOpen = newAgentOpen || confirmation !== null || orphansOpen || settingsOpen;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'n') {
        event.preventDefault();
        if (!dialogOpen && connected) openNewAgent();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [dialogOpen, openNewAgent, connected]);

  const onOpen = useCallback((agentId: string) => setOpenedId(agentId), []);
  const onSelect = useCallback((agentId: string) => setSelectedId(agentId), []);

  const requestStop = useCallback(
    (agentId: string) => {
      const agent = store.getSnapshot().agents.get(agentId);
      if (agent === undefined || !isActive(agent.state)) return;
      setConfirmation({ kind: 'stop', agentId, agentName: agent.agentName, isWaitingToRestart: agent.state === 'backoff' });
    },
    [store],
  );
  const requestRemove = useCallback(
    (agentId: string) => {
      const agent = store.getSnapshot().agents.get(agentId);
      if (agent === undefined) return;
      setConfirmation({ kind: 'remove', agentId, agentName: agent.agentName });
    },
    [store],
  );
  const requestForceKill = useCallback(
    (agentId: string) => {
      const agent = store.getSnapshot().agents.get(agentId);
      if (agent === undefined) return;
      setConfirmation({ kind: 'force-kill', agentId, agentName: agent.agentName });
    },
    [store],
  );
  const runAgain = useCallback(
    (agentId: string) => {
      void actions.runAgain(agentId);
    },
    [actions],
  );
  const restart = useCallback((agentId: string) => void actions.restart(agentId), [actions]);
  const duplicate = useCallback(
    async (agentId: string) => {
      const agent = store.getSnapshot().agents.get(agentId);
      const request = await settle(() => api.getAgentRequest({ agentId }));
      if (agent === undefined || !request.ok) return setClearError(`Could not duplicate ${agentId}: ${request.ok ? 'it is no longer listed' : request.message}`);
      setDuplicateOf(() => (suffix: string) => duplicateForm(request.value, agent, suffix));
      setNewAgentOpen(true);
    },
    [api, store],
  );
  const clearFinished = useCallback(async () => {
    const result = await settle(() => api.removeFinished());
    if (!result.ok) return setClearError(`Could not clear the finished agents: ${result.message}`);
    const removed = new Set(result.value);
    for (const agentId of removed) store.forget(agentId);
    setOpenedId((opened) => (opened !== null && removed.has(opened) ? null : opened));
    setSelectedId((selected) => (selected !== null && removed.has(selected) ? null : selected));
  }, [api, store]);
  const openFolder = useCallback((agentId: string) => void actions.openLogFolder(agentId), [actions]);
  const reapZombies = useCallback((agentId: string) => void actions.reapZombies(agentId), [actions]);

  const runStopAll = useCallback(async () => {
    setStopAll({ phase: 'running', count: liveCountOf(store.getSnapshot()) });
    const result = await settle(() => api.stopAll({}));
    setStopAll(result.ok ? { phase: 'done', result: result.value } : { phase: 'error', message: result.message });
  }, [api, store]);

  const confirm = async () => {
    const current = confirmation;
    setConfirmation(null);
    if (current === null) return;
    if (current.kind === 'stop') void actions.stop(current.agentId, false);
    else if (current.kind === 'force-kill') void actions.stop(current.agentId, true);
    else if (current.kind === 'stop-all') void runStopAll();
    else if (current.kind === 'clear-finished') void clearFinished();
    else if (await actions.remove(current.agentId)) {
      setOpenedId((opened) => (opened === current.agentId ? null : opened));
      setSelectedId((selected) => (selected === current.agentId ? null : selected));
    }
  };

  const onStarted = useCallback(
    (agentId: string) => {
      setNewAgentOpen(false);
      setSelectedId(agentId);
      setOpenedId(agentId);
      // Show it now rather than at the next tick.
      void settle(() => api.getAgent({ agentId })).then((result) => {
        if (result.ok) store.upsert(result.value);
      });
    },
    [api, store],
  );

  const showAgent = useCallback((agentId: string) => {
    setSelectedId(agentId);
    setOpenedId(agentId);
  }, []);
  const knownAgent = useCallback((agentId: string) => store.getSnapshot().agents.has(agentId), [store]);
  useAgentRoute(openedId, showAgent);
  const forgetRemoved = useCallback((agentId: string) => {
    setOpenedId((opened) => (opened === agentId ? null : opened));
    setSelectedId((selected) => (selected === agentId ? null : selected));
  }, []);

  const openedListed = useStoreSlice(store, useCallback((snapshot: CorralSnapshot) => openedId !== null && snapshot.agents.has(openedId), [openedId]));

  return (
    <ConnectionContext.Provider value={connected}>
      <div className="app">
        <ConnectionBanner />
        <HostWarnings warnings={hostInfo?.warnings ?? []} />
        {loadError !== null && (
          <div className="banner banner-bad" role="alert">
            Could not load the agents: {loadError}
          </div>
        )}
        <SummaryHeader
          store={store}
          showNewAgent={!empty}
          stopAll={stopAll}
          onStopAll={() => setConfirmation({ kind: 'stop-all', count: liveCountOf(store.getSnapshot()) })}
          onClearFinished={() => setConfirmation({ kind: 'clear-finished', agentIds: finishedIdsOf(store.getSnapshot().agents) })}
          onNewAgent={openNewAgent}
          onOpenOrphans={openOrphans}
          onOpenSettings={openSettings}
        />
        <StopAllStatus state={stopAll} onDismiss={() => setStopAll({ phase: 'idle' })} />
        {clearError !== null && (
          <div className="inline-alert with-dismiss" role="alert">
            <span>{clearError}</span>
            <button type="button" className="icon-button" aria-label="Dismiss error" onClick={() => setClearError(null)}>
              ×
            </button>
          </div>
        )}
        <main className={`workspace${empty ? ' is-empty' : ''}`}>
          <AgentsPane
            store={store}
            selectedId={selectedId}
            openedId={openedId}
            onSelect={onSelect}
            onOpen={onOpen}
            onRequestStop={requestStop}
            onNewAgent={openNewAgent}
            actions={actions}
            onRemoved={forgetRemoved}
            dataDir={hostInfo?.dataDir ?? null}
          />
          {!empty &&
            (openedId !== null && openedListed ? (
              <AgentDetail
                key={openedId}
                api={api}
                store={store}
                agentId={openedId}
                status={actions.statusOf(openedId)}
                canOpenFolders={hostInfo?.canOpenFolders ?? false}
                onRequestStop={requestStop}
                onForceKill={requestForceKill}
                onRunAgain={runAgain}
                onRestart={restart}
                onDuplicate={(agentId) => void duplicate(agentId)}
                onRequestRemove={requestRemove}
                onOpenFolder={openFolder}
                onReapZombies={reapZombies}
                onDismissError={actions.clearError}
                onClose={() => setOpenedId(null)}
              />
            ) : (
              <section className="detail detail-placeholder" aria-label="Agent details">
                {openedId !== null && loaded ? (
                  <p role="alert">
                    No such agent: <span className="mono">{openedId}</span> is not listed (removed, or a wrong address).
                  </p>
                ) : (
                  <p className="muted">Select an agent to see its figures, processes, logs and request.</p>
                )}
                <p className="muted small">
                  <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>Enter</kbd> opens · <kbd>Delete</kbd> stops · <kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>N</kbd> new agent
                </p>
              </section>
            ))}
        </main>
        <Notifications toasts={notices.toasts} knownAgent={knownAgent} onDismiss={notices.dismiss} onDismissAll={notices.dismissAll} onShowAgent={showAgent} />

        {orphansOpen && <OrphansDialog api={api} onClose={() => setOrphansOpen(false)} />}
        {settingsOpen && <SettingsDialog state={settings} hostInfo={hostInfo} onClose={() => setSettingsOpen(false)} />}
        {newAgentOpen && (
          <NewAgentDialog api={api} store={store} hostInfo={hostInfo} onClose={() => setNewAgentOpen(false)} onStarted={onStarted} duplicateOf={duplicateOf ?? undefined} />
        )}
        {confirmation !== null && (
          <ConfirmDialog
            title={confirmTitle(confirmation)}
            confirmLabel={confirmation.kind === 'remove' ? 'Remove' : confirmation.kind === 'force-kill' ? 'Force kill' : confirmation.kind === 'clear-finished' ? 'Clear finished' : 'Stop'}
            onConfirm={() => void confirm()}
            onCancel={() => setConfirmation(null)}
            confirmDisabledReason={connected ? undefined : OFFLINE_REASON}
          >
            {confirmation.kind === 'clear-finished' ? (
              <p>
                {plural(confirmation.agentIds.length, 'ended agent')} and {confirmation.agentIds.length === 1 ? 'its' : 'their'} logs are removed. Running agents stay. This cannot be undone.
              </p>
            ) : confirmation.kind === 'stop-all' ? (
              <p>
                {plural(confirmation.count, 'running agent')} and all their processes are stopped gracefully, in parallel: SIGTERM, SIGTERM again, then
                SIGKILL for anything left.
              </p>
            ) : confirmation.kind === 'stop' && confirmation.isWaitingToRestart ? (
              <p>
                It is waiting to restart: its restart is cancelled and it stays ended. <span className="mono">{confirmation.agentId}</span>
              </p>
            ) : confirmation.kind === 'force-kill' ? (
              <p>
                It skips the graceful stages: its whole process tree gets SIGKILL at once, with no chance to save its work or clean up.{' '}
                <span className="mono">{confirmation.agentId}</span>
              </p>
            ) : confirmation.kind === 'stop' ? (
              <p>
                Its whole process tree gets SIGTERM, then SIGTERM again, then SIGKILL for anything left. <span className="mono">{confirmation.agentId}</span>
              </p>
            ) : (
              <p>
                Its record and its logs are deleted. This cannot be undone. <span className="mono">{confirmation.agentId}</span>
              </p>
            )}
          </ConfirmDialog>
        )}
      </div>
    </ConnectionContext.Provider>
  );
}

function confirmTitle(confirmation: Confirmation): string {
  switch (confirmation.kind) {
    case 'stop-all':
      return 'Stop all agents?';
    case 'stop':
      return `Stop ${confirmation.agentName}?`;
    case 'force-kill':
      return `Force kill ${confirmation.agentName}?`;
    case 'remove':
      return `Remove ${confirmation.agentName}?`;
    case 'clear-finished':
      return `Clear ${plural(confirmation.agentIds.length, 'finished agent')}?`;
  }
}
