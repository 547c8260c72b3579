/**
 * The contract served by another process: when a headless host (`corral
 * serve`, the web host) owns the data folder, the desktop window is one more
 * client of it. This service looks like the desktop's own (`bindContract`
 * consumes it unchanged) but every call goes over the folder's local socket
 * through `corral/client`, and every event the host sends comes back to the
 * window.
 *
 * What stays local, because only this machine's desktop can do it:
 * - `openLogFolder`: the host has no file manager (the web host answers
 *   `unsupported`); the agent's log folder is asked of the host and opened here.
 * - `getHostInfo`: says `electron` (so the window uses the desktop's own
 *   notifications, not the browser's) and adds a warning naming the host.
 * - notices from the host are also shown as desktop notifications.
 * Everything else — presets included (the host runs the agents, so the host's
 * own Node and demo script are the right ones) — is the host's answer.
 *
 * A lost connection (the host stopped) is told once to the window as a notice,
 * every later call answers `closed`, and `lost` resolves; nothing reconnects.
 *
 * Plain Node: no Electron import, so it is tested against a real host here.
 */
import type { CallName, EventPayloads, NoticeView, Result } from '../../src-preload/contract';
import { calls, CALL_NAMES, EVENT_NAMES } from '../../src-preload/contract';
import type { ContractClient, ContractService, EventSink } from '../api/service';
import { connect, type CorralClient } from '../client/index';

/** What the desktop itself lends while attached. */
export interface LocalHost {
  /** The desktop app's version (getHostInfo names it, as with its own engine). */
  version: string;
  /** Opens a folder in the OS file manager. */
  openFolder?: (dir: string) => Promise<void>;
  /** Shows a desktop notification. */
  notify?: (notice: NoticeView) => void;
}

export interface AttachedServiceOptions {
  dataDir: string;
  /** Who owns the folder, from its lock: named in the window. */
  holder: { kind: string; pid: number };
  local: LocalHost;
  /** Opens one connection to the host (default: `corral/client`'s `connect` on `dataDir`). */
  connectClient?: () => Promise<CorralClient>;
}

export interface AttachedService extends ContractService {
  /** "the Corral engine (pid 1234)". */
  readonly hostLabel: string;
  /** Resolves, once, with what to tell the user when the host's connection is lost (never when `close()` ended it). */
  readonly lost: Promise<string>;
}

type AnyResult = Result<unknown>;

/**
 * Connects to the host owning `dataDir` (one connection, proving it answers) and serves the contract
 * over it. Throws the client's `ClientError` when the host cannot be reached.
 */
export async function openAttachedService(options: AttachedServiceOptions): Promise<AttachedService> {
  const { dataDir, holder, local } = options;
  const connectClient = options.connectClient ?? (() => connect({ dataDir, validate: false }));
  const hostLabel = `the Corral ${holder.kind} (pid ${holder.pid})`;
  const lostMessage = `${hostLabel} this window was attached to has stopped; its agents may still be running. Restart Corral to see them again.`;
  const lostResult: AnyResult = { ok: false, error: { code: 'closed', message: lostMessage } };

  let spare: CorralClient | null = await connectClient();
  const open = new Set<Promise<CorralClient | null>>();
  let isClosing = false;
  let isLost = false;
  let reportLost!: (message: string) => void;
  const lost = new Promise<string>((resolve) => (reportLost = resolve));
  const sinks = new Set<EventSink>();

  const markLost = () => {
    if (isClosing || isLost) return;
    isLost = true;
    const notice: NoticeView = { kind: 'warning', agentId: null, title: 'Lost the connection to the Corral host', body: lostMessage, at: new Date().toISOString() };
    for (const sink of sinks) sink('notice', notice);
    local.notify?.(notice);
    reportLost(lostMessage);
  };

  const attachedNote =
    `This window is attached to ${hostLabel}, which owns ${dataDir}. ` +
    'Quitting the window leaves that host and its agents running; stop them with `corral shutdown --stop-agents` or from here.';

  return {
    hostLabel,
    lost,
    connect(sink: EventSink): ContractClient {
      sinks.add(sink);
      const taken = spare;
      spare = null;
      // The first window uses the connection opened above; any later one opens its own (log follows are per connection).
      const opening: Promise<CorralClient | null> = (taken !== null ? Promise.resolve(taken) : connectClient()).then(
        (client) => {
          for (const event of EVENT_NAMES) {
            client.subscribe(event, (payload) => {
              if (event === 'notice') local.notify?.(payload as NoticeView);
              sink(event, payload as EventPayloads[typeof event]);
            });
          }
          void client.closed.then(markLost);
          return client;
        },
        () => {
          markLost();
          return null;
        },
      );
      open.add(opening);
      const forward = async (name: CallName, input: unknown): Promise<AnyResult> => {
        const client = await opening;
        if (client === null || isLost) return lostResult;
        const result = (await (client.call as (name: CallName, input: unknown) => Promise<AnyResult>)(name, input)) as AnyResult;
        return !result.ok && result.error.code === 'closed' ? lostResult : result;
      };
      return {
        async call(name: unknown, input: unknown): Promise<AnyResult> {
          if (typeof name !== 'string' || !(CALL_NAMES as readonly string[]).includes(name)) {
            return { ok: false, error: { code: 'invalid-argument', message: `Unknown call ${JSON.stringify(String(name)).slice(0, 120)}.` } };
          }
          try {
            switch (name as CallName) {
              case 'getHostInfo':
                return withLocalHostInfo(await forward('getHostInfo', input), local, attachedNote);
              case 'openLogFolder':
                return await openLogFolderLocally(input, local, forward);
              default:
                return await forward(name as CallName, input);
            }
          } catch (error) {
            return { ok: false, error: { code: 'internal', message: `${name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` } };
          }
        },
        close() {
          sinks.delete(sink);
          open.delete(opening);
          void opening.then((client) => client?.close());
        },
      };
    },
    close() {
      isClosing = true;
      sinks.clear();
      void spare?.close();
      spare = null;
      for (const opening of open) void opening.then((client) => client?.close());
      open.clear();
    },
  };
}

function withLocalHostInfo(result: AnyResult, local: LocalHost, note: string): AnyResult {
  if (!result.ok) return result;
  const info = result.value as { warnings: string[] };
  return { ok: true, value: { ...info, host: 'electron', version: local.version, canOpenFolders: local.openFolder !== undefined, warnings: [note, ...info.warnings] } };
}

/** The host names the agent's log folder; this machine's file manager opens it. */
async function openLogFolderLocally(input: unknown, local: LocalHost, forward: (name: CallName, input: unknown) => Promise<AnyResult>): Promise<AnyResult> {
  const parsed = calls.openLogFolder.input.safeParse(input);
  if (!parsed.success) return { ok: false, error: { code: 'invalid-argument', message: `Invalid input for openLogFolder: ${parsed.error.message}` } };
  if (local.openFolder === undefined) return { ok: false, error: { code: 'unsupported', message: 'This host cannot open folders; the log folder is shown on the Request tab.' } };
  const request = await forward('getAgentRequest', { agentId: parsed.data.agentId });
  if (!request.ok) return request;
  const { logDir } = request.value as { logDir: string };
  try {
    await local.openFolder(logDir);
    return { ok: true, value: null };
  } catch (error) {
    return { ok: false, error: { code: 'io-error', message: error instanceof Error ? error.message : String(error) } };
  }
}
