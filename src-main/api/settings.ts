/**
 * The user's settings (`<dataDir>/settings.json`, mode 0600): which notice
 * kinds are shown. One store per contract service; it is the file's only
 * writer.
 *
 * Every change is saved at once and atomically (write a temporary file beside
 * it, then rename over it), so a crash leaves the old file or the new one,
 * never half of either. A file that cannot be read, parsed or validated (a
 * bad hand edit) is kept byte for byte under another name and reported, and
 * the defaults apply: never a crash, never a silent wipe.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { NOTICE_KINDS, type NoticeKind, type SettingsView } from '../../src-preload/contract';
import { errnoOf, messageOf, setAside } from '../supervisor/index';
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

export class SettingsStore {
  private settings: SettingsView;
  /** False when an unusable file could not be set aside: it is never overwritten. */
  private isWritable = true;
  private readonly problems: string[] = [];
  readonly path: string;

  private constructor(
    dataDir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.path = path.join(dataDir, SETTINGS_FILE_NAME);
    this.settings = defaultSettings();
  }

  /** Reads `<dataDir>/settings.json` (defaults when it is absent or unusable); never throws. */
  static open(dataDir: string, warn: (message: string) => void): SettingsStore {
    const store = new SettingsStore(dataDir, warn);
    store.load();
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
    if (!this.isWritable) {
      throw new CallFailure('io-error', `The settings file ${this.path} is unusable and could not be set aside; fix or remove it, then try again.`);
    }
    try {
      writeAtomically(this.path, `${JSON.stringify({ version: SETTINGS_VERSION, notifications: next.notifications }, null, 2)}\n`);
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

  private load(): void {
    let raw: string;
    try {
      raw = readFileSync(this.path, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return;
      this.quarantine(`it could not be read (${messageOf(error)})`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      this.quarantine(`it is not valid JSON (${messageOf(error)})`);
      return;
    }
    const parsed = settingsFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
      this.quarantine(`it does not match the expected format (${where}${issue?.message ?? 'unknown problem'})`);
      return;
    }
    this.settings = { notifications: { ...defaultSettings().notifications, ...parsed.data.notifications } };
  }

  /** Keeps the unusable file byte for byte under a new name, removes it, and tells the user; the defaults apply. */
  private quarantine(reason: string): void {
    const outcome = setAside(this.path);
    if ('kept' in outcome) {
      this.report(`The settings file ${this.path} was set aside because ${reason}. It is kept as ${outcome.kept}; every notification is on until you change them again.`);
      return;
    }
    this.isWritable = false;
    this.report(
      `The settings file ${this.path} is unusable because ${reason}, and could not be set aside (${outcome.failure}). ` +
        'Every notification is on, and settings will not be saved until the file is fixed or removed.',
    );
  }

  private report(message: string): void {
    this.problems.push(message);
    this.warn(message);
  }
}

/** Writes `text` to a temporary file beside `file` (mode 0600), flushes it to disk, and renames it over `file`. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
