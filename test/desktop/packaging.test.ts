/**
 * Linux packaging: the .deb keeps electron-builder's own dependencies and adds
 * what Electron links on top; the .deb installs electron-builder's AppArmor
 * profile for the path it installs to (Ubuntu 23.10+/24.04); the AppImage
 * profile README tells users to install is well formed. electron-builder
 * itself cannot run here (it needs the Electron binary), so the checks read
 * the installed app-builder-lib — the code `npm run dist` runs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config, { ELECTRON_BUILDER_DEB_DEPENDS } from '../../electron-builder.config';

const REPO = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const APP_BUILDER_LIB = path.dirname(require.resolve('app-builder-lib/package.json'));
const PACKAGE = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string };

/** Names as electron-builder derives them on Linux (linuxPackager.js, appInfo.js): no executableName set, so the lower-cased package name. */
const EXECUTABLE = PACKAGE.name.toLowerCase();
const INSTALL_DIR = `/opt/${config.productName ?? ''}`;

/** A template of app-builder-lib's with `${name}` filled in, as FpmTarget's writeConfigFile does. */
function rendered(template: string): string {
  const values: Record<string, string> = { executable: EXECUTABLE, sanitizedProductName: config.productName ?? '', productFilename: config.productName ?? '' };
  return readFileSync(path.join(APP_BUILDER_LIB, 'templates/linux', template), 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (match, name: string) => values[name] ?? match);
}

/** Where the profile's block opens: the `{` ending a line (`@{HOME}` in an attachment is a variable, not a block). */
function blockStart(text: string): number {
  return /\{[ \t]*$/m.exec(text)?.index ?? -1;
}

/** A profile's rules: the lines inside its `{ … }`, comments and blank lines dropped. */
function profileBody(text: string): string[] {
  const open = blockStart(text);
  const close = text.lastIndexOf('}');
  expect(open, 'the profile has a { … } block').toBeGreaterThan(0);
  expect(close).toBeGreaterThan(open);
  expect(text.slice(close + 1).replace(/#.*$/gm, '').trim(), 'nothing after the block').toBe('');
  return text.slice(open + 1, close).split('\n').map((line) => line.replace(/#(?!\s*include).*$/, '').trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** The header lines before the block, comments dropped. */
function profileHeader(text: string): string[] {
  return text.slice(0, blockStart(text) + 1).split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line !== '');
}

describe('the .deb', () => {
  const depends = config.deb?.depends ?? [];

  it("keeps every one of the installed electron-builder's default dependencies", async () => {
    const { default: FpmTarget } = (await import('app-builder-lib/out/targets/FpmTarget.js')) as unknown as { default: { prototype: { getDefaultDepends(target: string): string[] } } };
    const defaults = FpmTarget.prototype.getDefaultDepends('deb');
    expect(defaults.length).toBeGreaterThan(0);
    expect(depends).toEqual(expect.arrayContaining(defaults));
    expect([...ELECTRON_BUILDER_DEB_DEPENDS].sort()).toEqual([...defaults].sort());
  });

  it('names what the window, Open log folder, safeStorage, GPU buffers and sound need', () => {
    for (const name of ['libgtk-3-0', 'xdg-utils', 'libsecret-1-0', 'libatspi2.0-0', 'libuuid1', 'libxtst6', 'libnss3', 'libgbm1']) expect(depends).toContain(name);
    // ALSA under both names: libasound2t64 after the time_t transition (Ubuntu 24.04, Debian 13), libasound2 before.
    expect(depends).toContain('libasound2t64 | libasound2');
    expect(new Set(depends).size, 'no duplicates').toBe(depends.length);
  });

  it("leaves electron-builder's install scripts in place, so its AppArmor profile is installed and removed", () => {
    expect(config.deb?.afterInstall ?? null).toBeNull();
    expect(config.deb?.afterRemove ?? null).toBeNull();
    expect(config.deb?.appArmorProfile ?? null).toBeNull();
    expect(config.linux?.executableArgs ?? [], 'the sandbox is never turned off').not.toContain('--no-sandbox');
    // The deb target copies the profile into resources/ (FpmTarget, "Install AppArmor support for ubuntu 24+")…
    expect(readFileSync(path.join(APP_BUILDER_LIB, 'out/targets/FpmTarget.js'), 'utf8')).toMatch(/copyFile\)\(scripts\.appArmor, path\.join\(resourceDir, "apparmor-profile"\)\)/);
    // …and its after-install script loads it from there into /etc/apparmor.d, the after-remove one unloads it.
    const afterInstall = rendered('after-install.tpl');
    expect(afterInstall).toContain(`APPARMOR_PROFILE_SOURCE='${INSTALL_DIR}/resources/apparmor-profile'`);
    expect(afterInstall).toContain(`APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${EXECUTABLE}'`);
    expect(afterInstall).toContain('apparmor_parser --replace');
    expect(afterInstall).not.toContain('--no-sandbox');
    expect(rendered('after-remove.tpl')).toContain(`APPARMOR_PROFILE_DEST='/etc/apparmor.d/${EXECUTABLE}'`);
  });

  it('its AppArmor profile grants userns to the binary the .deb installs, and nothing else', () => {
    const profile = rendered('apparmor-profile.tpl');
    expect(profileHeader(profile)).toEqual(['abi <abi/4.0>,', 'include <tunables/global>', `profile "${EXECUTABLE}" "${INSTALL_DIR}/${EXECUTABLE}" flags=(unconfined) {`]);
    expect(profileBody(profile)).toEqual(['userns,', `include if exists <local/${EXECUTABLE}>`]);
  });
});

describe('the AppImage', () => {
  const file = path.join(REPO, 'build/linux/corral-appimage.apparmor');
  const profile = readFileSync(file, 'utf8');

  it('has a profile granting userns to the AppImage file, and nothing else', () => {
    const header = profileHeader(profile);
    expect(header.slice(0, 2)).toEqual(['abi <abi/4.0>,', 'include <tunables/global>']);
    expect(header[2]).toMatch(/^profile corral-appimage @\{HOME\}\/Applications\/Corral-\*\.AppImage flags=\(unconfined\) \{$/);
    expect(header).toHaveLength(3);
    expect(profileBody(profile)).toEqual(['userns,', 'include if exists <local/corral-appimage>']);
  });

  it('README shows that very profile and how to load it, and never offers --no-sandbox as the fix', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8').split('\n').map((line) => line.trim());
    const rules = profile.split('\n').filter((line) => !line.startsWith('#')).map((line) => line.trim());
    while (rules.at(-1) === '') rules.pop();
    const start = readme.indexOf(rules[0] ?? '');
    expect(start, 'README quotes the AppImage profile').toBeGreaterThan(0);
    expect(readme.slice(start, start + rules.length)).toEqual(rules);
    expect(readme).toContain('sudo apparmor_parser -r /etc/apparmor.d/corral-appimage');
    for (const line of readme.filter((text) => text.includes('--no-sandbox'))) expect(line).toMatch(/\b(?:not|never)\b/i);
  });
});
