/**
 * Where a Corral host keeps its state when no folder is named: one per-user
 * default, platform-conventional, shared by every host (headless host, CLI,
 * and the desktop app, whose old folder `data-dir-migration.ts` moves here),
 * so they all see the same agents.
 *
 * - Linux and other Unixes: `$XDG_STATE_HOME/corral`, else `~/.local/state/corral`
 *   (agent state and logs are state, not configuration or user data).
 * - macOS: `~/Library/Application Support/Corral/data` (the desktop app's own folder today).
 * - Windows: `%APPDATA%\Corral\data` (likewise).
 */
import os from 'node:os';
import path from 'node:path';

export interface PlatformFacts {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

/** This process's platform, environment and home. */
export const currentPlatform = (): PlatformFacts => ({ platform: process.platform, env: process.env, home: os.homedir() });

/** The per-user default data folder (absolute). */
export function defaultDataDir(facts: PlatformFacts = currentPlatform()): string {
  const { platform, env, home } = facts;
  const paths = platform === 'win32' ? path.win32 : path.posix;
  if (platform === 'win32') return paths.join(env.APPDATA || paths.join(home, 'AppData', 'Roaming'), 'Corral', 'data');
  if (platform === 'darwin') return paths.join(home, 'Library', 'Application Support', 'Corral', 'data');
  // XDG says a relative value is invalid and must be ignored.
  const state = env.XDG_STATE_HOME && paths.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : paths.join(home, '.local', 'state');
  return paths.join(state, 'corral');
}

/**
 * The data folder a command means: `--data-dir`, else `CORRAL_DATA_DIR`, else
 * (inside an agent) the folder of its host's `CORRAL_SOCKET`, else the default.
 */
export function resolveDataDir(flag: string | undefined, facts: PlatformFacts = currentPlatform()): string {
  if (flag !== undefined && flag !== '') return path.resolve(flag);
  if (facts.env.CORRAL_DATA_DIR) return path.resolve(facts.env.CORRAL_DATA_DIR);
  const socket = facts.env.CORRAL_SOCKET;
  if (socket && facts.platform !== 'win32' && path.isAbsolute(socket)) return path.dirname(socket);
  return defaultDataDir(facts);
}
