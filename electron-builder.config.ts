/**
 * Packaging: `npm run dist` builds installers for the platform it runs on
 * (AppImage and deb on Linux, dmg on macOS, nsis on Windows). Icons come from
 * build/ (electron-builder's buildResources); the demo agent ships beside the
 * app so Electron can run it as Node.
 */
import type { Configuration } from 'electron-builder';

/**
 * electron-builder 26's own `deb.depends` (app-builder-lib/out/targets/FpmTarget.js,
 * getDefaultDepends('deb'); DebOptions' @default). Setting `depends` replaces the defaults and
 * there is no "default" placeholder, so they are restated here: GTK (the window), xdg-utils
 * (Open log folder), at-spi, libuuid, libsecret (safeStorage's keyring; without it secrets
 * would fall back to no encryption), libnss3, libxss1, libxtst6, libnotify4.
 * test/desktop/packaging.test.ts fails when an electron-builder upgrade adds one we lack.
 */
export const ELECTRON_BUILDER_DEB_DEPENDS = ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'] as const;

/**
 * Libraries the Electron binary links that the defaults miss, so a minimal system can install the
 * .deb and still fail with "error while loading shared libraries" (electron-builder issues #4346
 * libasound2 and #7234 libgbm.so.1): GBM, and ALSA — `libasound2t64` since the 64-bit time_t
 * transition (Ubuntu 24.04, Debian 13), `libasound2` before.
 */
export const ELECTRON_RUNTIME_DEB_DEPENDS = ['libgbm1', 'libasound2t64 | libasound2'] as const;

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
  // No afterInstall/afterRemove/appArmorProfile of ours: electron-builder 26's own scripts install its AppArmor
  // profile (/etc/apparmor.d/corral: `userns,` for /opt/Corral/corral; Ubuntu 23.10+/24.04 refuse the sandbox's
  // user namespace without it, electron-builder #8635/#8636) and remove it again. The sandbox stays on.
  deb: { depends: [...ELECTRON_BUILDER_DEB_DEPENDS, ...ELECTRON_RUNTIME_DEB_DEPENDS] },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', icon: 'build/icon.png', hardenedRuntime: true },
  dmg: { sign: false },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true, perMachine: false },
  publish: null,
};

export default config;
