/**
 * `npm run test:desktop`: the Electron launch test (launch.test.ts) where an
 * Electron binary exists — builds the app, then runs vitest on this folder
 * only. Where none exists it says so in one line and exits 0: nothing was
 * launched, so nothing is claimed to be tested.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findElectronBinary } from './electron-binary';

const REPO = path.resolve(import.meta.dirname, '../..');
const binary = findElectronBinary();
if (!binary.ok) {
  console.log(`test:desktop: skipped — no Electron binary here: ${binary.why}. Nothing was launched or tested.`);
  process.exit(0);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: REPO, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('npx', ['electron-vite', 'build']);
run('npx', ['vitest', 'run', '--config', 'test/desktop-launch/vitest.config.ts']);
