/**
 * The Orphans dialog: processes this Corral started that no live agent
 * accounts for (their agent ended, or Corral lost its record), listed by a
 * fresh sweep on open and every few seconds while open. Stop (per row) and
 * Stop all orphans use the staged stop — SIGTERM, SIGTERM again, SIGKILL — and
 * the engine checks each pid + start time again before every signal.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { CorralApi, OrphanView } from '../../src-preload/contract';
import { settle } from '../state/call-result';
import { Modal } from '../ui/Modal';
import { describeOrphanStop } from './orphan-stop';

const REFRESH_MS = 3000;

export function OrphansDialog({ api, onClose }: { api: CorralApi; onClose: () => void }) {
  const titleId = useId();
  const bodyId = useId();
  const [orphans, setOrphans] = useState<OrphanView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stopping, setStopping] = useState<ReadonlySet<number>>(new Set());
  const [outcome, setOutcome] = useState<string | null>(null);
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    const result = await settle(() => api.listOrphans());
    if (!mounted.current) return;
    if (result.ok) {
      setOrphans(result.value);
      setError(null);
    } else {
      setError(result.message);
    }
  }, [api]);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      mounted.current = false;
      clearInterval(timer);
    };
  }, [refresh]);

  const stop = async (targets: OrphanView[]) => {
    if (targets.length === 0) return;
    const pids = targets.map((orphan) => orphan.pid);
    setStopping((current) => new Set([...current, ...pids]));
    setOutcome(null);
    const result = await settle(() => api.stopOrphans({ orphans: targets.map(({ pid, startTime }) => ({ pid, startTime })) }));
    if (!mounted.current) return;
    setOutcome(result.ok ? describeOrphanStop(result.value) : `Stop failed: ${result.message}`);
    setStopping((current) => new Set([...current].filter((pid) => !pids.includes(pid))));
    await refresh();
  };

  const list = orphans ?? [];
  const idle = list.filter((orphan) => !stopping.has(orphan.pid));
  return (
    <Modal labelledBy={titleId} describedBy={bodyId} onClose={onClose} className="orphans">
      <h2 id={titleId} className="modal-header modal-title">
        Orphans
      </h2>
      <div className="modal-body">
        <p id={bodyId} className="muted">
          Processes started by this Corral&apos;s agents that no running agent accounts for: their agent ended, or Corral lost its record (a crash).
          Stopping sends SIGTERM, SIGTERM again, then SIGKILL.
        </p>
        {error !== null && (
          <p className="inline-alert" role="alert">
            Could not list orphans: {error}
          </p>
        )}
        <div className="table-scroll">
          <table className="process-table" aria-label="Orphan processes">
            <thead>
              <tr>
                <th scope="col" className="num">PID</th>
                <th scope="col">Agent</th>
                <th scope="col">Command</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((orphan) => (
                <tr key={`${orphan.pid}@${orphan.startTime}`}>
                  <td className="num mono">{orphan.pid}</td>
                  <td className="mono">{orphan.agentId}</td>
                  <td className="command-cell mono" title={orphan.command ?? orphan.name}>
                    {orphan.command ?? orphan.name}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button-small button-danger-quiet"
                      aria-label={`Stop orphan ${orphan.pid}`}
                      disabled={stopping.has(orphan.pid)}
                      onClick={() => void stop([orphan])}
                    >
                      {stopping.has(orphan.pid) ? 'Stopping…' : 'Stop'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {orphans !== null && orphans.length === 0 && <p className="muted small table-empty">No orphans: every process of ours belongs to a running agent.</p>}
          {orphans === null && error === null && <p className="muted small table-empty">Looking for orphans…</p>}
        </div>
        <p className="small orphans-outcome" aria-live="polite">
          {outcome}
        </p>
      </div>
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus="">
          Close
        </button>
        <button type="button" className="button button-danger" disabled={idle.length === 0} onClick={() => void stop(idle)}>
          Stop all orphans
        </button>
      </div>
    </Modal>
  );
}
