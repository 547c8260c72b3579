/**
 * Where the Electron binary of node_modules/electron is, without the side
 * effect of `require('electron')`: Electron 45's index.js downloads the binary
 * when it is missing, and this must never reach the network. Same lookup:
 * ELECTRON_OVERRIDE_DIST_PATH, else dist/ + path.txt (written by the install).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The binary's path, or why there is none. */
export function findElectronBinary(): { ok: true; path: string } | { ok: false; why: string } {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, why: 'the electron package is not installed' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const binary = override !== undefined ? path.join(override, relative ?? 'electron') : relative !== undefined ? path.join(packageDir, 'dist', relative) : undefined;
  if (binary === undefined) return { ok: false, why: 'node_modules/electron has no path.txt (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1)' };
  if (!existsSync(binary)) return { ok: false, why: `${binary} does not exist` };
  return { ok: true, path: binary };
}
