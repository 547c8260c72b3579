#!/usr/bin/env node
// The `corral` command (package.json "bin"): runs the build in out/cli/, made by
// `npm run build:cli` (also by `npm install` and `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../out/cli/corral.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('corral: the command is not built yet (out/cli/corral.js is missing); run `npm run build:cli` (or `npm install`) in the Corral folder, then try again.\n');
  process.exit(1);
}
await import(built.href);
