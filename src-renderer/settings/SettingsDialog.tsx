/**
 * Settings: which kinds of notice are shown (each saved as soon as it is
 * switched), where secret values are kept, and where metrics are served.
 */
import { useId } from 'react';
import { NOTICE_KINDS, type HostInfoView } from '../../src-preload/contract';
import { secretStorageText } from '../new-agent/SecretFields';
import { NOTICE_KIND_DESCRIPTION, NOTICE_KIND_LABEL } from '../notices/notice-kinds';
import { Modal } from '../ui/Modal';
import type { SettingsState } from './use-settings';

interface SettingsDialogProps {
  state: SettingsState;
  hostInfo: HostInfoView | null;
  onClose: () => void;
}

export function SettingsDialog({ state, hostInfo, onClose }: SettingsDialogProps) {
  const titleId = useId();
  const base = useId();
  const { settings, error, saving, savedCount } = state;
  return (
    <Modal labelledBy={titleId} onClose={onClose} className="settings">
      <h2 id={titleId} className="modal-header modal-title">
        Settings
      </h2>
      <div className="modal-body settings-body">
        {error !== null && (
          <p className="inline-alert" role="alert">
            {error}
          </p>
        )}
        <fieldset className="policy-group">
          <legend>Notifications</legend>
          <p className="field-hint">Shown as a notification and in the corner of this window. Each switch is saved at once.</p>
          {settings === null ? (
            error === null && (
              <p className="muted" aria-busy="true">
                Loading…
              </p>
            )
          ) : (
            <ul className="notice-switches">
              {NOTICE_KINDS.map((kind) => (
                <li key={kind}>
                  <label className="check-label">
                    <input
                      type="checkbox"
                      checked={settings.notifications[kind]}
                      disabled={saving.has(kind)}
                      onChange={(event) => state.setNotification(kind, event.target.checked)}
                      aria-describedby={`${base}-${kind}`}
                    />{' '}
                    {NOTICE_KIND_LABEL[kind]}
                  </label>
                  <span id={`${base}-${kind}`} className="field-hint">
                    {NOTICE_KIND_DESCRIPTION[kind]}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <p className="small muted" aria-live="polite">
            {savedCount > 0 && saving.size === 0 && error === null ? 'Saved.' : ''}
          </p>
        </fieldset>
        <fieldset className="policy-group">
          <legend>Secrets</legend>
          <p>{secretStorageText(hostInfo?.secretStorage ?? null)}</p>
        </fieldset>
        {hostInfo !== null && hostInfo.metricsUrl !== null && (
          <fieldset className="policy-group">
            <legend>Metrics</legend>
            <p>
              Prometheus metrics are served at <code className="mono breakable">{hostInfo.metricsUrl}</code>
            </p>
          </fieldset>
        )}
      </div>
      <div className="modal-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus="">
          Close
        </button>
      </div>
    </Modal>
  );
}
