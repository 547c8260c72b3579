/**
 * The settings file (`<dataDir>/settings.json`) over real files: saved at
 * once and read back by the next start, private to the user, and a corrupt or
 * badly hand-edited file is set aside with a warning instead of crashing or
 * being silently overwritten.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { calls, NOTICE_KINDS } from '../../src-preload/contract';
import { SettingsStore } from '../../src-main/api/settings';
import type { ConfOptions, KeyValueFile } from '../../src-main/supervisor/index';
import { tempDir } from '../helpers/agents';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

const allOn = Object.fromEntries(NOTICE_KINDS.map((kind) => [kind, true]));

function open(dir: string) {
  const warnings: string[] = [];
  const store = SettingsStore.open(dir, (message) => warnings.push(message));
  return { store, warnings };
}

describe('settings store', () => {
  it('starts with every notice kind on, and writes nothing until something changes', () => {
    const dir = dataDir();
    const { store, warnings } = open(dir);
    expect(store.get()).toEqual({ notifications: allOn });
    expect(NOTICE_KINDS.every((kind) => store.allows(kind))).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('saves a change at once, keeps the kinds not named, and the next start reads it back from a 0600 file', () => {
    const dir = dataDir();
    const { store } = open(dir);
    expect(store.update({ stalled: false, zombie: false })).toEqual({ notifications: { ...allOn, stalled: false, zombie: false } });
    expect(store.update({ zombie: true })).toEqual({ notifications: { ...allOn, stalled: false } });
    expect(store.allows('stalled')).toBe(false);

    const file = path.join(dir, 'settings.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Written whole through a temporary file that is renamed over it: nothing else is left behind.
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, notifications: { ...allOn, stalled: false } });

    const reopened = open(dir);
    expect(reopened.store.get()).toEqual({ notifications: { ...allOn, stalled: false } });
    expect(reopened.store.allows('stalled')).toBe(false);
    expect(reopened.warnings).toEqual([]);
  });

  it('writes the file as it always was (two-space JSON, a final newline) through the opener it is given, as the app gives electron-store', () => {
    const dir = dataDir();
    const opened: ConfOptions[] = [];
    const store = SettingsStore.open(dir, () => undefined, (options) => {
      opened.push(options);
      return new Conf(options) as unknown as KeyValueFile;
    });
    expect(opened).toMatchObject([{ cwd: dir, configName: 'settings', fileExtension: 'json', clearInvalidConfig: false, configFileMode: 0o600 }]);
    store.update({ failed: false });
    expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(`${JSON.stringify({ version: 1, notifications: { ...allOn, failed: false } }, null, 2)}\n`);
  });

  it('hands out copies: changing a returned view changes nothing', () => {
    const { store } = open(dataDir());
    store.get().notifications.failed = false;
    expect(store.allows('failed')).toBe(true);
  });

  it('gives a kind missing from the file (added by a later version) its default', () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ version: 1, notifications: { failed: false } }));
    const { store, warnings } = open(dir);
    expect(store.get()).toEqual({ notifications: { ...allOn, failed: false } });
    expect(warnings).toEqual([]);
  });

  it('sets a corrupt file aside byte for byte with a warning, starts from the defaults, and saves the next change to a fresh file', () => {
    const dir = dataDir();
    const file = path.join(dir, 'settings.json');
    const garbage = '{"version": 1, "notifications": {"failed": fal';
    writeFileSync(file, garbage);
    const { store, warnings } = open(dir);
    expect(store.get()).toEqual({ notifications: allOn });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('not valid JSON');
    expect(store.warnings).toEqual(warnings);
    const kept = readdirSync(dir).filter((name) => name.startsWith('settings.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(warnings[0]).toContain(kept[0]);
    expect(readFileSync(path.join(dir, kept[0]!), 'utf8')).toBe(garbage);

    store.update({ warning: false });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, notifications: { ...allOn, warning: false } });
    expect(readFileSync(path.join(dir, kept[0]!), 'utf8')).toBe(garbage);
  });

  it.each([
    ['a value that is not true or false', { version: 1, notifications: { failed: 'no' } }, 'notifications.failed'],
    ['a misspelt kind', { version: 1, notifications: { faild: false } }, 'notifications'],
    ['another version', { version: 2, notifications: {} }, 'version'],
    ['an unknown field', { version: 1, notifications: {}, theme: 'dark' }, ''],
    ['not an object', [true], ''],
  ])('sets aside a hand-edited file with %s and warns, naming the problem', (_what, content, where) => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(content));
    const { store, warnings } = open(dir);
    expect(store.get()).toEqual({ notifications: allOn });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('does not match the expected format');
    expect(warnings[0]).toContain(`(${where}`);
    expect(readdirSync(dir).filter((name) => name.startsWith('settings.json.corrupt-'))).toHaveLength(1);
  });

  it('never overwrites an unusable file it could not set aside: the defaults apply and saving fails with io-error', () => {
    const dir = dataDir();
    // A folder where the file should be: unreadable as a file, and it cannot be copied aside.
    mkdirSync(path.join(dir, 'settings.json'));
    const { store, warnings } = open(dir);
    expect(store.get()).toEqual({ notifications: allOn });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('could not be set aside');
    expect(() => store.update({ failed: false })).toThrow(expect.objectContaining({ code: 'io-error' }));
    expect(store.allows('failed')).toBe(true);
    expect(statSync(path.join(dir, 'settings.json')).isDirectory()).toBe(true);
  });

  it('fails a change it cannot save with io-error and keeps the settings as they were', () => {
    const dir = path.join(dataDir(), 'data');
    const { store } = open(dir);
    // A file where the folder should be: conf recreates a missing folder, but nothing can be written under a file.
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, '');
    expect(() => store.update({ failed: false })).toThrow(expect.objectContaining({ code: 'io-error', message: expect.stringContaining('Could not save settings') }));
    expect(store.allows('failed')).toBe(true);
  });
});

describe('updateSettings input', () => {
  const schema = calls.updateSettings.input;

  it('accepts any subset of the notice kinds, each true or false', () => {
    expect(schema.safeParse({ notifications: {} }).success).toBe(true);
    expect(schema.safeParse({ notifications: { failed: false, 'crash-looping': true } }).success).toBe(true);
  });

  it.each([
    ['an unknown kind', { notifications: { bogus: true } }],
    ['names inherited from Object', { notifications: { constructor: true, toString: false } }],
    ['a value that is not a boolean', { notifications: { failed: 'off' } }],
    ['an extra field', { notifications: {}, theme: 'dark' }],
    ['no notifications', {}],
  ])('refuses %s', (_what, input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });

  it('drops an own "__proto__" key (as JSON.parse makes it): nothing reaches the store', () => {
    const parsed = schema.safeParse(JSON.parse('{"notifications": {"__proto__": {"failed": false}}}'));
    expect(parsed.success && Object.getOwnPropertyNames(parsed.data.notifications)).toEqual([]);
  });
});
