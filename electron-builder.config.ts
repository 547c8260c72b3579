/**
 * Packaging: `npm run dist` builds installers for the platform it runs on
 * (AppImage and deb on Linux, dmg on macOS, nsis on Windows). Icons come from
 * build/ (electron-builder's buildResources); the demo agent ships beside the
 * app so Electron can run it as Node.
 */
import type { Configuration } from 'electron-builder';

const config: Configuration = {
  appId: 'dev.corral.app',
  productName: 'Corral',
  copyright: 'Copyright © 2026 the Corral authors',
  directories: { buildResources: 'build', output: 'dist' },
  files: ['out/**/*', 'package.json', '!**/*.map'],
  extraResources: [{ from: 'resources/demo-agent.mjs', to: 'demo-agent.mjs' }],
  asar: true,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'build/icon.png',
    maintainer: 'Corral <corral@example.invalid>',
    synopsis: 'Launch, watch and stop agent processes',
  },
  deb: { depends: ['libnotify4', 'libxss1', 'libnss3'] },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', icon: 'build/icon.png', hardenedRuntime: true },
  dmg: { sign: false },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true, perMachine: false },
  publish: null,
};

export default config;
