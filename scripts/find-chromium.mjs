// The one place that decides which Chromium or Chrome the browser tests and the
// browser bench drive. `npm test` runs it first (scripts/ensure-chromium.sh) and
// test/e2e/harness.ts imports findChromium, so both pick the same binary.
//
// Order (the first executable file wins):
//   1. $CHROMIUM_PATH, then $CHROME_PATH: a user's explicit choice; when set but
//      not an executable file this is an error, never silently skipped.
//   2. On $PATH: chromium, chromium-browser, google-chrome, google-chrome-stable.
//   3. The usual install locations (USUAL_LOCATIONS below).
//   4. Playwright's cache ($PLAYWRIGHT_BROWSERS_PATH, else ~/.cache/ms-playwright,
//      ~/Library/Caches/ms-playwright on macOS): the newest chromium-<revision>.
//
//   node scripts/find-chromium.mjs            prints the path (exit 0), or what to run (exit 1)
//   node scripts/find-chromium.mjs --install  the same, but installs Debian's/Ubuntu's chromium
//                                             first when none is found and it can (root, or
//                                             password-less sudo, with apt-get)
//
// CORRAL_CHROMIUM_LOCATIONS (colon-separated) replaces the usual locations: the
// finder's own tests use it, since this machine has a real /usr/bin/chromium.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variables naming a browser, in the order they are read. */
export const ENV_VARIABLES = ['CHROMIUM_PATH', 'CHROME_PATH'];

/** Commands looked up on $PATH, in order. */
export const PATH_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Where distributions, snap, Google's packages and macOS put the browser. */
export const USUAL_LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The executable inside one of Playwright's chromium-<revision> folders, per layout (old and new Linux, macOS). */
const PLAYWRIGHT_EXECUTABLES = ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium'];

function isExecutableFile(file) {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function playwrightCache(env, platform) {
  if (env.PLAYWRIGHT_BROWSERS_PATH) return env.PLAYWRIGHT_BROWSERS_PATH;
  const home = env.HOME ?? os.homedir();
  return platform === 'darwin' ? path.join(home, 'Library', 'Caches', 'ms-playwright') : path.join(home, '.cache', 'ms-playwright');
}

/** chromium-<revision> folders, newest revision first. */
function playwrightRevisions(cache) {
  let names;
  try {
    names = readdirSync(cache);
  } catch {
    return [];
  }
  return names
    .map((name) => /^chromium-(\d+)$/.exec(name))
    .filter((match) => match !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((match) => path.join(cache, match[0]));
}

/**
 * Finds a Chromium or Chrome in the documented order. Reads only the file
 * system and the given environment.
 * @param {{ env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform }} [options]
 * @returns {{ ok: true, path: string, source: string } | { ok: false, error: { kind: 'bad-variable' | 'not-found', message: string } }}
 */
export function findChromium({ env = process.env, platform = process.platform } = {}) {
  for (const name of ENV_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (isExecutableFile(value)) return { ok: true, path: value, source: `$${name}` };
    return { ok: false, error: { kind: 'bad-variable', message: `$${name} is ${value}, which is not an executable file: point it at a Chromium or Chrome binary, or unset it.` } };
  }
  for (const command of PATH_COMMANDS) {
    const found = onPath(command, env);
    if (found !== null) return { ok: true, path: found, source: `PATH (${command})` };
  }
  const locations = env.CORRAL_CHROMIUM_LOCATIONS !== undefined ? env.CORRAL_CHROMIUM_LOCATIONS.split(':').filter(Boolean) : USUAL_LOCATIONS;
  for (const location of locations) {
    if (isExecutableFile(location)) return { ok: true, path: location, source: 'usual location' };
  }
  const cache = playwrightCache(env, platform);
  for (const revision of playwrightRevisions(cache)) {
    for (const executable of PLAYWRIGHT_EXECUTABLES) {
      const candidate = path.join(revision, executable);
      if (isExecutableFile(candidate)) return { ok: true, path: candidate, source: "Playwright's cache" };
    }
  }
  return { ok: false, error: { kind: 'not-found', message: notFoundMessage(env, platform) } };
}

/** 'debian' | 'ubuntu' | null, from /etc/os-release (ID, then ID_LIKE). */
function debianFamily(platform) {
  if (platform !== 'linux') return null;
  let text;
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    return null;
  }
  const field = (name) => (new RegExp(`^${name}=["']?([^"'\\n]*)`, 'm').exec(text)?.[1] ?? '').split(/\s+/);
  const ids = [...field('ID'), ...field('ID_LIKE')];
  if (ids.includes('ubuntu')) return 'ubuntu';
  if (ids.includes('debian')) return 'debian';
  return null;
}

/** Ubuntu's deb named chromium-browser installs the snap; Debian's is chromium. */
function aptPackage(family) {
  return family === 'ubuntu' ? 'chromium-browser' : 'chromium';
}

function notFoundMessage(env, platform) {
  const family = debianFamily(platform);
  const command =
    family !== null && onPath('apt-get', env) !== null
      ? `sudo apt-get install -y ${aptPackage(family)}`
      : 'npx playwright-core install chromium';
  return [
    `No Chromium or Chrome found for the browser tests (looked at $${ENV_VARIABLES.join(', $')}, ${PATH_COMMANDS.join(', ')} on PATH, the usual install locations and Playwright's cache).`,
    `Run: ${command}`,
    `(or set CHROMIUM_PATH to a Chromium or Chrome you already have), then run the command again.`,
  ].join('\n');
}

/** Root, or sudo that asks no password: the prefix to run apt-get with, or null when it cannot. */
function privilege(env) {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [];
  if (onPath('sudo', env) === null) return null;
  const probe = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', env });
  return probe.status === 0 ? ['sudo', '-n'] : null;
}

/** Installs the distribution's chromium with apt-get when it can; true when apt-get succeeded. */
function install(env, platform) {
  const family = debianFamily(platform);
  if (family === null || onPath('apt-get', env) === null) return false;
  const prefix = privilege(env);
  if (prefix === null) return false;
  const run = (args) => {
    const [program, ...rest] = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
    return spawnSync(program, rest, { stdio: ['ignore', process.stderr, process.stderr], env }).status === 0;
  };
  process.stderr.write(`No Chromium or Chrome found: installing ${family === 'ubuntu' ? "Ubuntu's" : "Debian's"} ${aptPackage(family)} for the browser tests (apt-get).\n`);
  return run(['update']) && run(['install', '-y', aptPackage(family)]);
}

function main(argv) {
  let found = findChromium();
  if (!found.ok && found.error.kind === 'not-found' && argv.includes('--install') && install(process.env, process.platform)) found = findChromium();
  if (found.ok) {
    process.stdout.write(`${found.path}\n`);
    return 0;
  }
  process.stderr.write(`${found.error.message}\n`);
  return 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
