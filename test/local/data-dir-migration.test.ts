/**
 * The desktop's old data folder (Electron's userData/data) moves once to the
 * shared default, with a link left behind — real folders in a temp HOME: it
 * moves only when the old one holds state, the new one holds none and no live
 * host holds the old one's lock; across file systems (EXDEV) or when held it
 * stays where it is, whole.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../src-main/local/data-dir';
import { migrateDataDir, resolveDesktopDataDir } from '../../src-main/local/data-dir-migration';
import { tempDir } from '../helpers/agents';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp HOME with the desktop's old folder (`~/.config/Corral/data`) and the new default's path. */
function home(base = tempDir()): { home: string; oldDir: string; newDir: string } {
  made.push(base);
  const oldDir = path.join(base, '.config', 'Corral', 'data');
  const newDir = defaultDataDir({ platform: 'linux', env: {}, home: base });
  return { home: base, oldDir, newDir };
}

/** An old folder with what a desktop leaves: state, an agent's logs, a lock. */
function withState(dir: string, lock?: { pid: number; kind: string }): void {
  mkdirSync(path.join(dir, 'logs', 'agent-1'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dir, 'state.json'), '{"version":3,"agents":{}}');
  writeFileSync(path.join(dir, 'logs', 'agent-1', 'stdout.log'), 'hello\n');
  if (lock) writeFileSync(path.join(dir, 'corral.lock'), JSON.stringify({ ...lock, since: new Date().toISOString() }));
}

const SHM = '/dev/shm';
const onAnotherFileSystem = existsSync(SHM) && lstatSync(SHM).dev !== lstatSync(os.tmpdir()).dev;

function deadPid(): number {
  // A pid past the kernel's limit is no process's.
  return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;
}

describe('moving the desktop data folder to the shared default', () => {
  it('moves a folder with state (a stale lock is no holder) and leaves a link: old paths still resolve', () => {
    const { oldDir, newDir } = home();
    withState(oldDir, { pid: deadPid(), kind: 'desktop' });
    const result = migrateDataDir(oldDir, newDir);
    expect(result.dataDir).toBe(newDir);
    expect(result.note).toContain(`Moved the desktop's data folder ${oldDir} to the shared default ${newDir}`);
    expect(lstatSync(oldDir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(oldDir)).toBe(newDir);
    expect(lstatSync(newDir).isDirectory()).toBe(true);
    // A running agent's log path under the old folder still reaches its file.
    expect(readFileSync(path.join(oldDir, 'logs', 'agent-1', 'stdout.log'), 'utf8')).toBe('hello\n');
    expect(realpathSync(path.join(oldDir, 'state.json'))).toBe(path.join(realpathSync(newDir), 'state.json'));
    // Once moved, the next start has nothing to do.
    expect(migrateDataDir(oldDir, newDir)).toEqual({ dataDir: newDir, note: null });
  });

  it('takes an empty folder at the new path; one with a host’s leftovers in it makes the move fail whole', () => {
    const { oldDir, newDir } = home();
    withState(oldDir);
    mkdirSync(newDir, { recursive: true });
    writeFileSync(path.join(newDir, 'corral.lock'), JSON.stringify({ pid: deadPid(), kind: 'engine' }));
    // Only a lock and nothing else is no state; but rmdir refuses a non-empty folder, so this one stays and the move fails whole.
    const result = migrateDataDir(oldDir, newDir);
    expect(result.dataDir).toBe(oldDir);
    expect(lstatSync(oldDir).isDirectory()).toBe(true);
    expect(existsSync(path.join(oldDir, 'state.json'))).toBe(true);

    rmSync(path.join(newDir, 'corral.lock'));
    expect(migrateDataDir(oldDir, newDir).dataDir).toBe(newDir);
    expect(readFileSync(path.join(newDir, 'state.json'), 'utf8')).toContain('"agents"');
  });

  it('stays put while a live host holds the old folder', () => {
    const { oldDir, newDir } = home();
    withState(oldDir, { pid: process.pid, kind: 'desktop' });
    const result = migrateDataDir(oldDir, newDir);
    expect(result).toEqual({ dataDir: oldDir, note: expect.stringContaining(`a Corral desktop (pid ${process.pid}) is using it`) });
    expect(lstatSync(oldDir).isDirectory()).toBe(true);
    expect(existsSync(newDir)).toBe(false);
  });

  // Needs a second file system: /dev/shm (tmpfs) beside the temp folder's.
  it.skipIf(!onAnotherFileSystem)('across file systems (EXDEV) keeps the old folder whole and says why', () => {
    const oldBase = mkdtempSync(path.join(SHM, 'corral-test-'));
    made.push(oldBase);
    const oldDir = path.join(oldBase, 'data');
    const { newDir } = home();
    withState(oldDir);
    const result = migrateDataDir(oldDir, newDir);
    expect(result.dataDir).toBe(oldDir);
    expect(result.note).toContain('on another file system');
    expect(lstatSync(oldDir).isDirectory()).toBe(true);
    expect(readFileSync(path.join(oldDir, 'logs', 'agent-1', 'stdout.log'), 'utf8')).toBe('hello\n');
    expect(existsSync(newDir)).toBe(false);
  });

  it('leaves both alone when the new folder holds agents already, naming the old one', () => {
    const { oldDir, newDir } = home();
    withState(oldDir);
    withState(newDir);
    const result = migrateDataDir(oldDir, newDir);
    expect(result.dataDir).toBe(newDir);
    expect(result.note).toContain(`CORRAL_DATA_DIR=${oldDir}`);
    expect(lstatSync(oldDir).isDirectory()).toBe(true);
  });

  it('does nothing without old state, or when both paths are one folder', () => {
    const { oldDir, newDir } = home();
    expect(migrateDataDir(oldDir, newDir)).toEqual({ dataDir: newDir, note: null });
    mkdirSync(oldDir, { recursive: true });
    writeFileSync(path.join(oldDir, 'corral.lock'), '{}');
    expect(migrateDataDir(oldDir, newDir)).toEqual({ dataDir: newDir, note: null });
    withState(newDir);
    expect(migrateDataDir(newDir, newDir)).toEqual({ dataDir: newDir, note: null });
  });

  it('honours CORRAL_DATA_DIR: that folder, nothing moved', () => {
    const { home: base, oldDir } = home();
    withState(oldDir);
    const named = path.join(base, 'elsewhere');
    expect(resolveDesktopDataDir(oldDir, { platform: 'linux', env: { CORRAL_DATA_DIR: named }, home: base })).toEqual({ dataDir: named, note: null });
    expect(lstatSync(oldDir).isDirectory()).toBe(true);
    expect(resolveDesktopDataDir(oldDir, { platform: 'linux', env: {}, home: base }).dataDir).toBe(path.join(base, '.local', 'state', 'corral'));
  });
});
