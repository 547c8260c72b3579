/**
 * Own engine or attach: what the desktop app does with its data folder.
 *
 * - Nobody (or a dead process) holds the folder's lock: the desktop owns it —
 *   its engine, the contract service over it, and the local socket, so the
 *   `corral` command drives the desktop's agents too.
 * - A live headless host (`corral serve`, the web host, a script's engine)
 *   holds it: the desktop attaches to that host as a client over the socket
 *   (`attached-service.ts`) instead of failing or starting a second engine.
 * - Another desktop holds it (another install, or a second user session on
 *   the same folder): the clear "in use" error, as before.
 *
 * The lock can change hands between the look and the act (a host starting or
 * dying at that moment), so each branch that finds the other case true looks
 * once more. Plain Node: Electron's parts (the store, the host adapter) come
 * in as functions, so the decision is tested here with real hosts.
 */
import type { ContractService } from '../api/service';
import { ClientError, isProcessAlive, readLockHolder, type LockHolderInfo } from '../client/index';
import { SocketHostError } from '../local/errors';
import { startSocketHost, type SocketHost } from '../local/socket-host';
import { CorralError, type Supervisor } from '../supervisor/index';
import { openAttachedService, type AttachedService, type LocalHost } from './attached-service';

/** The lock kind the desktop writes; a holder of this kind is never attached to. */
export const DESKTOP_KIND = 'desktop';

export type DataDirUse = { kind: 'own' } | { kind: 'attach'; holder: LockHolderInfo } | { kind: 'in-use'; holder: LockHolderInfo };

/** What the folder's lock says the desktop should do now (best effort: the engine's lock has the last word). */
export function decideDataDirUse(dataDir: string): DataDirUse {
  const holder = readLockHolder(dataDir);
  if (holder === null || holder.pid === process.pid || !isProcessAlive(holder.pid)) return { kind: 'own' };
  return holder.kind === DESKTOP_KIND ? { kind: 'in-use', holder } : { kind: 'attach', holder };
}

export interface OwnedEngine {
  kind: 'own';
  engine: Supervisor;
  service: ContractService;
  /** Null when the socket could not be served (logged; the window works without it). */
  socketHost: SocketHost | null;
}

export interface AttachedEngine {
  kind: 'attached';
  holder: LockHolderInfo;
  service: AttachedService;
}

export interface OpenDesktopEngineOptions {
  dataDir: string;
  /**
   * Starts the engine on `dataDir` with host kind `desktop` (throws `data-dir-locked` when a live host has it),
   * passing `agentEnv` on as the engine's option: what every agent is told (CORRAL_SOCKET, CORRAL_DATA_DIR once the socket listens).
   */
  createEngine: (agentEnv: () => Readonly<Record<string, string>>) => Promise<Supervisor>;
  createService: (engine: Supervisor) => ContractService;
  /** What the desktop lends while attached. */
  local: LocalHost;
  log: (line: string) => void;
}

/** Owns the folder or attaches to its host; throws the engine's or the client's error, whose message says what to do. */
export async function openDesktopEngine(options: OpenDesktopEngineOptions): Promise<OwnedEngine | AttachedEngine> {
  for (let attempt = 1; ; attempt++) {
    const use = decideDataDirUse(options.dataDir);
    const isLast = attempt >= 2 || use.kind === 'in-use';
    try {
      if (use.kind === 'attach') return await attach(options, use.holder);
      // `in-use` goes through the engine too: its lock error names the holder (and a holder that just died is taken over).
      return await own(options);
    } catch (error) {
      // Lost a race: a host took the folder meanwhile (look again: attach), or the host died before answering (own it).
      const raced = (error instanceof CorralError && error.kind === 'data-dir-locked') || (error instanceof ClientError && (error.kind === 'no-host' || error.kind === 'dead-owner'));
      if (isLast || !raced) throw error;
      options.log(`The data folder changed hands while starting (${error.message}); looking again.`);
    }
  }
}

async function own(options: OpenDesktopEngineOptions): Promise<OwnedEngine> {
  let socketHost: SocketHost | null = null;
  const engine = await options.createEngine(() => socketHost?.agentEnv() ?? {});
  const service = options.createService(engine);
  try {
    // As `corral serve` does: the lock is ours, so the socket is too (a stale one is removed).
    socketHost = await startSocketHost({ service, dataDir: options.dataDir, log: options.log });
  } catch (error) {
    if (!(error instanceof SocketHostError)) {
      service.close();
      await engine.close();
      throw error;
    }
    options.log(`Warning: no local socket, so the corral command cannot reach this app's agents: ${error.message}`);
  }
  return { kind: 'own', engine, service, socketHost };
}

async function attach(options: OpenDesktopEngineOptions, holder: LockHolderInfo): Promise<AttachedEngine> {
  const service = await openAttachedService({ dataDir: options.dataDir, holder, local: options.local });
  options.log(`Attached to ${service.hostLabel} on ${options.dataDir}; quitting leaves it and its agents running.`);
  return { kind: 'attached', holder, service };
}
