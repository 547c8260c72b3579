/**
 * `npm run dist`: packages the built app (out/) with electron-builder for the
 * platform this runs on. Needs the Electron binary, which a normal
 * `npm install` downloads (it is skipped on CI machines).
 */
import { build } from 'electron-builder';
import config from '../electron-builder.config';

build({ config, publish: 'never' }).then(
  (artifacts) => {
    for (const artifact of artifacts) console.log(`built ${artifact}`);
  },
  (error: unknown) => {
    console.error('packaging failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
