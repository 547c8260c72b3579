/**
 * `npm start` / `npm run dev` first run scripts/check-electron.mjs: without
 * the Electron binary (an install with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as
 * here) it fails with what happened and the two ways on, instead of
 * electron-vite's bare "Electron uninstall"; with the binary it passes. The
 * passing case uses a copy of the electron package with a stand-in binary:
 * node_modules/electron is never touched.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE, tempDir } from '../helpers/agents';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(REPO, 'scripts', 'check-electron.mjs');
const ELECTRON = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));

function check(args: string[], env: Record<string, string> = {}) {
  const childEnv = { ...process.env, ...env };
  delete childEnv.ELECTRON_EXEC_PATH;
  return spawnSync(NODE, [SCRIPT, ...args], { cwd: REPO, env: childEnv, encoding: 'utf8', timeout: 20_000 });
}

/** A copy of the electron package's installer files, without whatever binary the real one has. */
function electronCopy(): string {
  const dir = path.join(tempDir(), 'electron');
  mkdirSync(dir);
  for (const file of ['package.json', 'index.js', 'install.js']) copyFileSync(path.join(ELECTRON, file), path.join(dir, file));
  return dir;
}

describe('scripts/check-electron.mjs', () => {
  it('without the binary: exits 1 naming the install command and the browser way', () => {
    const copy = electronCopy();
    const result = check([copy], { npm_lifecycle_event: 'dev' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`the Electron binary is not installed (no ${path.join(copy, 'path.txt')})`);
    expect(result.stderr).toContain(`node ${path.relative(REPO, path.join(copy, 'install.js'))}`);
    expect(result.stderr).toContain('then `npm run dev` again');
    expect(result.stderr).toContain('npm run serve');
    rmSync(path.dirname(copy), { recursive: true, force: true });
  });

  // This machine installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1: what `npm start` says here, unchanged.
  it.runIf(!existsSync(path.join(ELECTRON, 'path.txt')))('here, on the installed package: exits 1 with the same advice', () => {
    const result = check([], { npm_lifecycle_event: 'start' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('node node_modules/electron/install.js');
    expect(result.stderr).toContain('then `npm start` again');
    expect(result.stderr).toContain('npm run serve');
  });

  it('passes once path.txt names a binary that is there, and says which one is missing otherwise', () => {
    const copy = electronCopy();
    writeFileSync(path.join(copy, 'path.txt'), 'electron');
    const missing = check([copy]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${path.join(copy, 'dist', 'electron')} is missing`);

    mkdirSync(path.join(copy, 'dist'));
    writeFileSync(path.join(copy, 'dist', 'electron'), '#!/bin/sh\n', { mode: 0o755 });
    const present = check([copy]);
    expect(present.status, present.stderr).toBe(0);
    expect(present.stderr).toBe('');
    rmSync(path.dirname(copy), { recursive: true, force: true });
  });
});
