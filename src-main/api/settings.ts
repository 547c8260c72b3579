/**
 * The user's settings (`<dataDir>/settings.json`, mode 0600): which notice
 * kinds are shown. One store per contract service; it is the file's only
 * writer.
 *
 * Every change is saved at once through conf (electron-store in the app),
 * which writes atomically: a crash leaves the old file or the new one, never
 * half of either. A file that cannot be read, parsed or validated (a bad hand
 * edit) is kept byte for byte under another name and reported, and the
 * defaults apply: never a crash, never a silent wipe (the engine's
 * `openJsonFile`, as for its state file).
 */
import path from 'node:path';
import { z } from 'zod';
import { NOTICE_KINDS, type NoticeKind, type SettingsView } from '../../src-preload/contract';
import { messageOf, openJsonFile, type FileDescription, type KeyValueFile, type OpenFile } from '../supervisor/index';
import { CallFailure } from './call-failure';

export const SETTINGS_FILE_NAME = 'settings.json';
export const SETTINGS_VERSION = 1;

/**
 * The file's shape. A kind missing from the file (one added after it was
 * written) takes its default; a kind this version does not know (a typo in a
 * hand edit) makes the file unusable, so the user is told rather than left
 * believing a notice is off.
 */
const settingsFileSchema = z.strictObject({
  version: z.literal(SETTINGS_VERSION),
  notifications: z.partialRecord(z.enum(NOTICE_KINDS), z.boolean()),
});

/** Every kind on. */
export function defaultSettings(): SettingsView {
  return { notifications: Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, true])) as Record<NoticeKind, boolean> };
}

const SETTINGS_FILE: FileDescription = {
  what: 'settings file',
  afterSetAside: 'every notification is on until you change them again',
  whileStuck: 'Every notification is on, and settings will not be saved until the file is fixed or removed.',
};

export class SettingsStore {
  private settings: SettingsView;
  /** Null when an unusable file could not be set aside: it is never overwritten. */
  private file: KeyValueFile | null = null;
  private readonly problems: string[] = [];
  readonly path: string;

  private constructor(dataDir: string) {
    this.path = path.join(dataDir, SETTINGS_FILE_NAME);
    this.settings = defaultSettings();
  }

  /**
   * Reads `<dataDir>/settings.json` (defaults when it is absent or unusable)
   * and opens it for writing with `openFile` (conf by default; the app passes
   * electron-store); never throws.
   */
  static open(dataDir: string, warn: (message: string) => void, openFile?: OpenFile): SettingsStore {
    const store = new SettingsStore(dataDir);
    const opened = openJsonFile({
      file: store.path,
      schema: settingsFileSchema,
      empty: () => ({ version: SETTINGS_VERSION, notifications: {} }),
      describe: SETTINGS_FILE,
      openFile,
      // As this file was always written: existing files and hand edits keep their look.
      serialize: (value) => `${JSON.stringify(value, null, 2)}\n`,
    });
    store.file = opened.file;
    store.settings = { notifications: { ...store.settings.notifications, ...opened.value.notifications } };
    for (const warning of opened.warnings) {
      store.problems.push(warning);
      warn(warning);
    }
    return store;
  }

  /** Problems met so far (a file set aside, a failed save), for a host to show once. */
  get warnings(): readonly string[] {
    return [...this.problems];
  }

  get(): SettingsView {
    return { notifications: { ...this.settings.notifications } };
  }

  /**
   * Changes the named kinds, keeps the others, and saves before returning.
   * When the file cannot be written nothing changes and the call fails
   * (`io-error`), so the UI never shows a setting that will not survive.
   */
  update(patch: Partial<Record<NoticeKind, boolean>>): SettingsView {
    const next: SettingsView = { notifications: { ...this.settings.notifications } };
    // Only known kinds with boolean values: the contract's schema checks this already, but the file must never carry anything else.
    for (const kind of NOTICE_KINDS) {
      const value = patch[kind];
      if (typeof value === 'boolean') next.notifications[kind] = value;
    }
    if (this.file === null) {
      throw new CallFailure('io-error', `The settings file ${this.path} is unusable and could not be set aside; fix or remove it, then try again.`);
    }
    try {
      this.file.store = { version: SETTINGS_VERSION, notifications: next.notifications };
    } catch (error) {
      throw new CallFailure('io-error', `Could not save settings to ${this.path}: ${messageOf(error)}.`);
    }
    this.settings = next;
    return this.get();
  }

  /** Whether notices of this kind are shown. */
  allows(kind: NoticeKind): boolean {
    return this.settings.notifications[kind];
  }
}
