/**
 * scripts/find-chromium.mjs, run as `npm test` runs it (a real `node` process),
 * against a temp PATH, a temp HOME (Playwright's cache) and temp "usual
 * locations" holding fake browsers: small shell scripts marked executable. The
 * machine's own Chromium is never looked at (CORRAL_CHROMIUM_LOCATIONS replaces
 * the usual locations) nor touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE, tempDir } from '../helpers/agents';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(REPO, 'scripts', 'find-chromium.mjs');

const DEBIAN_FAMILY = existsSync('/etc/os-release') && /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Machine {
  root: string;
  bin: string;
  home: string;
  usual: string;
  /** A fake browser at `relative` under root, executable unless told otherwise. */
  browser(relative: string, executable?: boolean): string;
}

function machine(): Machine {
  const root = tempDir();
  dirs.push(root);
  const m: Machine = {
    root,
    bin: path.join(root, 'bin'),
    home: path.join(root, 'home'),
    usual: path.join(root, 'usual', 'chromium'),
    browser(relative, executable = true) {
      const file = path.join(root, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '#!/bin/sh\necho fake browser\n');
      chmodSync(file, executable ? 0o755 : 0o644);
      return file;
    },
  };
  mkdirSync(m.bin);
  mkdirSync(m.home);
  return m;
}

/** Runs the finder with only this machine's PATH, HOME and usual location (no apt-get on PATH: it cannot install). */
function find(m: Machine, env: Record<string, string> = {}, args: string[] = []) {
  const childEnv: Record<string, string> = { PATH: m.bin, HOME: m.home, CORRAL_CHROMIUM_LOCATIONS: m.usual, ...env };
  return spawnSync(NODE, [SCRIPT, ...args], { cwd: REPO, env: childEnv, encoding: 'utf8', timeout: 20_000 });
}

function found(m: Machine, env: Record<string, string> = {}) {
  const result = find(m, env);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

describe('scripts/find-chromium.mjs', () => {
  it('picks in the documented order: $CHROMIUM_PATH, $CHROME_PATH, PATH, the usual locations, Playwright\'s cache', () => {
    const m = machine();
    const cacheOld = m.browser('home/.cache/ms-playwright/chromium-1000/chrome-linux/chrome');
    const cacheNew = m.browser('home/.cache/ms-playwright/chromium-1140/chrome-linux/chrome');
    expect(found(m)).toBe(cacheNew);
    expect(cacheOld).not.toBe(cacheNew);

    m.browser('usual/chromium');
    expect(found(m)).toBe(m.usual);

    const stable = m.browser('bin/google-chrome-stable');
    expect(found(m)).toBe(stable);
    const chrome = m.browser('bin/google-chrome');
    expect(found(m)).toBe(chrome);
    const browser = m.browser('bin/chromium-browser');
    expect(found(m)).toBe(browser);
    const chromium = m.browser('bin/chromium');
    expect(found(m)).toBe(chromium);

    const chromePath = m.browser('elsewhere/chrome');
    expect(found(m, { CHROME_PATH: chromePath })).toBe(chromePath);
    const chromiumPath = m.browser('elsewhere/chromium');
    expect(found(m, { CHROME_PATH: chromePath, CHROMIUM_PATH: chromiumPath })).toBe(chromiumPath);
  });

  it('skips files that are not executable, and reads $PLAYWRIGHT_BROWSERS_PATH before HOME\'s cache', () => {
    const m = machine();
    m.browser('bin/chromium', false);
    m.browser('usual/chromium', false);
    const inHome = m.browser('home/.cache/ms-playwright/chromium-1200/chrome-linux64/chrome');
    expect(found(m)).toBe(inHome);
    const shared = m.browser('shared-browsers/chromium-900/chrome-linux/chrome');
    expect(found(m, { PLAYWRIGHT_BROWSERS_PATH: path.join(m.root, 'shared-browsers') })).toBe(shared);
  });

  it('a $CHROMIUM_PATH that is not an executable file is an error, not skipped', () => {
    const m = machine();
    m.browser('bin/chromium');
    const result = find(m, { CHROMIUM_PATH: path.join(m.root, 'missing', 'chrome') });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`$CHROMIUM_PATH is ${path.join(m.root, 'missing', 'chrome')}, which is not an executable file`);
  });

  it('with none and no way to install: exits 1 with the one command to run, even with --install', () => {
    const m = machine();
    for (const args of [[], ['--install']]) {
      const result = find(m, {}, args);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('No Chromium or Chrome found for the browser tests');
      // No apt-get on this PATH: the command that works anywhere (into Playwright's cache, which the finder reads).
      expect(result.stderr).toContain('Run: npx playwright-core install chromium');
      expect(result.stderr).toContain('set CHROMIUM_PATH');
    }
  });

  it.runIf(DEBIAN_FAMILY)('with none on a Debian machine whose apt-get it may not run: names the apt-get command', () => {
    const m = machine();
    // apt-get on PATH, but neither root nor sudo: it cannot install, so it says what to run. Run as root, --install would install.
    m.browser('bin/apt-get');
    const result = find(m);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Run: sudo apt-get install -y chromium(-browser)?\n/);
  });
});
