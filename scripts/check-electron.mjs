// Run by `npm start` and `npm run dev` before electron-vite: is the Electron
// binary there? An install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (or one whose
// download failed) leaves node_modules/electron without it, and electron-vite
// then ends in a bare `Error: Electron uninstall`. This says what happened and
// the two ways on. Exit 0 when the binary is there, 1 when it is not.
//
//   node scripts/check-electron.mjs [ELECTRON_PACKAGE_DIR]   (default: the installed electron package)
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where electron-vite looks for the binary: $ELECTRON_EXEC_PATH, else <package>/dist/<path.txt>. */
function electronBinary(packageDir) {
  if (process.env.ELECTRON_EXEC_PATH) return process.env.ELECTRON_EXEC_PATH;
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = readFileSync(pathFile, 'utf8').trim();
  return executable === '' ? null : path.join(packageDir, 'dist', executable);
}

function installedPackageDir() {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The command the user ran (npm names it), to run again once the binary is there. */
function again() {
  const script = process.env.npm_lifecycle_event;
  if (script === 'start') return '`npm start`';
  return script ? `\`npm run ${script}\`` : 'start Corral';
}

const packageDir = process.argv[2] ? path.resolve(process.argv[2]) : installedPackageDir();
if (packageDir === null) {
  process.stderr.write('Corral: the electron package is not installed. Run `npm install` in the Corral folder first.\n');
  process.exit(1);
}
const binary = electronBinary(packageDir);
if (binary === null || !existsSync(binary)) {
  const installer = path.relative(process.cwd(), path.join(packageDir, 'install.js')) || path.join(packageDir, 'install.js');
  process.stderr.write(
    [
      `Corral: the Electron binary is not installed (${binary === null ? `no ${path.join(packageDir, 'path.txt')}` : `${binary} is missing`}),`,
      'so the desktop app cannot start. This happens after `npm install` with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or when its download failed.',
      'Two ways on:',
      `  - install the binary (downloads Electron, about 100 MB):  node ${installer}`,
      `    then ${again()} again;`,
      '  - or open the same UI in a browser, with the headless host:  npm run serve',
      '    (it prints the address to open; no Electron needed).',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
