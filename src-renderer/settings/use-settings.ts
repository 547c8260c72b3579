/**
 * The user's settings (getSettings once), and turning a notice kind on or off:
 * shown at once, saved with updateSettings, put back with the reason when the
 * host refuses.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CorralApi, NoticeKind, SettingsView } from '../../src-preload/contract';
import { settle } from '../state/call-result';

export interface SettingsState {
  /** Null until loaded (or when loading failed: see `error`). */
  settings: SettingsView | null;
  /** Why loading or the last save failed. */
  error: string | null;
  /** Kinds whose save is in flight. */
  saving: ReadonlySet<NoticeKind>;
  /** Bumped by every save that succeeded (for a polite "Saved."). */
  savedCount: number;
  setNotification: (kind: NoticeKind, shown: boolean) => void;
}

export function useSettings(api: CorralApi): SettingsState {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState<ReadonlySet<NoticeKind>>(() => new Set());
  const [savedCount, setSavedCount] = useState(0);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    void settle(() => api.getSettings()).then((result) => {
      if (!mounted.current) return;
      if (result.ok) setSettings(result.value);
      else setError(`Could not load the settings: ${result.message}`);
    });
    return () => {
      mounted.current = false;
    };
  }, [api]);

  const setNotification = useCallback(
    (kind: NoticeKind, shown: boolean) => {
      setError(null);
      setSettings((previous) => (previous === null ? previous : { ...previous, notifications: { ...previous.notifications, [kind]: shown } }));
      setSaving((previous) => new Set(previous).add(kind));
      void settle(() => api.updateSettings({ notifications: { [kind]: shown } })).then((result) => {
        if (!mounted.current) return;
        setSaving((previous) => {
          const next = new Set(previous);
          next.delete(kind);
          return next;
        });
        if (result.ok) {
          setSettings(result.value);
          setSavedCount((count) => count + 1);
        } else {
          setSettings((previous) => (previous === null ? previous : { ...previous, notifications: { ...previous.notifications, [kind]: !shown } }));
          setError(`Could not save the setting: ${result.message}`);
        }
      });
    },
    [api],
  );

  return { settings, error, saving, savedCount, setNotification };
}
