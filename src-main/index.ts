/**
 * Electron main: app lifecycle, the window, and the wiring between the engine
 * and the contract. Everything else lives in `supervisor/` (the engine) and
 * `ipc/` (the bridge's main side).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, session, type Session, type WebContents } from 'electron';
import ElectronStore from 'electron-store';
import { deferredService } from './api/deferred-service';
import { createContractService } from './api/index';
import { resolveShippedPrograms } from './api/shipped-programs';
import { APP_ID } from './desktop/app-id';
import { handleDesktopSignals } from './desktop/desktop-signals';
import { DEV_NONCE_ENV, windowCsp } from './shared/content-security';
import { desktopHostAdapter } from './desktop/host-adapter';
import { openDesktopEngine, type AttachedEngine, type OwnedEngine } from './desktop/open-engine';
import { safeStorageBox } from './desktop/secret-box';
import { askBeforeQuit, liveAgentCount, stopAllWithProgress } from './desktop/quit-guard';
import { isAppUrl as isOurPageUrl } from './ipc/app-url';
import { bindContract } from './ipc/bind-contract';
import { isFromMainFrameOf } from './ipc/trusted-sender';
import { resolveDesktopDataDir } from './local/data-dir-migration';
import { parseOnSignal } from './shutdown';
import { createSupervisor, type OpenFile, type Supervisor } from './supervisor/index';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD_FILE = path.join(here, '../preload/index.cjs');
const RENDERER_FILE = path.join(here, '../renderer/index.html');

/** electron-vite's dev server; never trusted in a packaged app. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

/** Strict once built; under `npm run dev` it also allows the dev session's nonce (content-security.ts). index.html's meta states the same policy. */
const CONTENT_SECURITY_POLICY = windowCsp({ devServerUrl, devNonce: process.env[DEV_NONCE_ENV] });

/** How long quitting waits for the engine to stop its timers before giving up. */
const CLOSE_TIMEOUT_MS = 5_000;

/** The desktop's own engine, or its attachment to the headless host that owns the data folder (see desktop/open-engine.ts). */
let openedPromise: Promise<OwnedEngine | AttachedEngine> | null = null;
/** Set once the user has answered the quit question (or there was nothing to ask). */
let quitDecided = false;
let mainWindow: BrowserWindow | null = null;
let hasClosedEngine = false;
let isClosingEngine = false;

/** The engine this app owns; null when attached to another host (or before and after start-up). */
async function ownEngine(): Promise<Supervisor | null> {
  const opened = await openedPromise?.catch(() => null);
  return opened?.kind === 'own' ? opened.engine : null;
}

/** True for the pages this app serves: the dev server in dev, index.html once built (compared as files: ipc/app-url.ts). */
function isAppUrl(rawUrl: string): boolean {
  return isOurPageUrl(rawUrl, { devServerUrl, rendererFile: RENDERER_FILE });
}

/** No new windows, no navigation away from our pages, no webviews — in any web contents. */
function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) {
      event.preventDefault();
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
}

/** A CSP on every response (the dev server's too) and no permission, ever. */
function hardenSession(ses: Session): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
}

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Corral',
    width: 1100,
    height: 720,
    minWidth: 640,
    minHeight: 400,
    show: false,
    webPreferences: {
      preload: PRELOAD_FILE,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  window.once('ready-to-show', () => {
    window.show();
  });
  // Windows logout/shutdown skips before-quit and will-quit: start saving when the session is about to end
  // (query-session-end) and again when it ends. Neither is delayed: only work done by then is kept.
  window.on('query-session-end', () => void closeEngine());
  window.on('session-end', () => void closeEngine());
  // Closing the window quits; ask first while agents run (a cancelled quit keeps the window).
  window.on('close', (event) => {
    if (!quitDecided && openedPromise !== null) {
      event.preventDefault();
      void decideQuit();
    }
  });
  window.on('closed', () => {
    if (mainWindow === window) {
      mainWindow = null;
    }
  });
  if (devServerUrl !== undefined) {
    void window.loadURL(devServerUrl);
  } else {
    void window.loadFile(RENDERER_FILE);
  }
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession);

  // The shared per-user folder (the headless host's and the corral command's too), honouring CORRAL_DATA_DIR;
  // the folder this app used before (userData/data) moves there once.
  const { dataDir, note } = resolveDesktopDataDir(path.join(app.getPath('userData'), 'data'));
  if (note !== null) console.error(`[corral] ${note}`);

  // The state file and the settings file each keep their one writer (the engine's state module, the settings store); in the app both write through electron-store.
  const openStore: OpenFile = (options) => new ElectronStore({ ...options, name: options.configName });
  const adapter = desktopHostAdapter();
  openedPromise = openDesktopEngine({
    dataDir,
    // Another desktop already on this folder: createSupervisor throws, and start()'s catch shows its message and quits.
    // A headless host on it: no engine here; the window attaches to that host instead.
    createEngine: (agentEnv) =>
      createSupervisor({
        dataDir,
        // Every agent is told where this app listens, so a `corral run` inside it reaches this engine.
        agentEnv,
        hostKind: 'desktop',
        openStore,
        secretBox: safeStorageBox(),
        // Programs Corral ships are named in saved requests and found here at each spawn (an AppImage moves every launch).
        resolveRequest: resolveShippedPrograms(adapter),
      }),
    createService: (engine) => createContractService(engine, adapter, { openStore }),
    local: {
      version: adapter.version,
      ...(adapter.openFolder === undefined ? {} : { openFolder: adapter.openFolder }),
      ...(adapter.notify === undefined ? {} : { notify: adapter.notify }),
    },
    log: (line) => console.error(`[corral] ${line}`),
  });
  // Bound before the window exists, so its first call finds a handler. The window does not wait for the
  // engine (nor the keychain behind it): calls made meanwhile wait for it (api/deferred-service.ts).
  bindContract({
    service: deferredService(openedPromise.then((opened) => opened.service)),
    contents: () => mainWindow?.webContents ?? null,
    isTrustedSender: (event) =>
      mainWindow !== null && isFromMainFrameOf(event, mainWindow.webContents, isAppUrl),
  });
  mainWindow = createMainWindow();
  const opened = await openedPromise;
  if (opened.kind === 'attached') {
    if (mainWindow !== null) showAttached(mainWindow, opened);
    void opened.service.lost.then(offerRestart);
  }
  await handleSignals(opened.kind === 'attached');
}

/** The page's <title> would replace the window's: keep saying whose agents these are. */
function showAttached(window: BrowserWindow, attached: AttachedEngine): void {
  if (window.isDestroyed()) return;
  window.setTitle(`Corral — attached to ${attached.service.hostLabel}`);
  window.on('page-title-updated', (event) => event.preventDefault());
}

/** The host this window was attached to stopped: say so, and offer what works (a restart owns the folder, or attaches to a new host). */
async function offerRestart(message: string): Promise<void> {
  if (quitDecided || mainWindow === null || mainWindow.isDestroyed()) return;
  mainWindow.setTitle('Corral — disconnected');
  const { response } = await dialog.showMessageBox(mainWindow, {
    type: 'warning',
    buttons: ['Restart Corral', 'Close'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
    title: 'The Corral host stopped',
    message: 'The Corral host stopped.',
    detail: message,
  });
  if (response === 0) app.relaunch();
  quitDecided = true;
  app.quit();
}

let closingEngine: Promise<void> | null = null;

/**
 * Stops the engine's sampling and timers (state saved) and the local socket; when attached, only this
 * window's connection. Agents keep running; the next start adopts them. Once, however many ask.
 */
function closeEngine(): Promise<void> {
  closingEngine ??= closeEngineOnce();
  return closingEngine;
}

async function closeEngineOnce(): Promise<void> {
  if (openedPromise === null) {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[corral] the engine did not close within ${CLOSE_TIMEOUT_MS} ms; quitting anyway`);
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  try {
    // A start-up failure was reported already; there is nothing to close then.
    const opened = await openedPromise.catch(() => null);
    if (opened?.kind === 'own') {
      const closing = (async () => {
        await opened.socketHost?.close(); // no new calls from the corral command while closing
        opened.service.close();
        await opened.engine.close();
      })();
      await Promise.race([closing, timeout]);
    } else {
      opened?.service.close();
    }
  } catch (error) {
    console.error('[corral] closing the engine failed:', error);
  } finally {
    clearTimeout(timer);
  }
}

let isDecidingQuit = false;

async function decideQuit(): Promise<void> {
  if (isDecidingQuit) {
    return;
  }
  isDecidingQuit = true;
  try {
    await askAndQuit();
  } finally {
    isDecidingQuit = false;
  }
}

async function askAndQuit(): Promise<void> {
  // Attached: the agents are the host's, and quitting the window leaves them (and it) alone — nothing to ask.
  const supervisor = await ownEngine();
  const live = supervisor ? await liveAgentCount(supervisor).catch(() => 0) : 0;
  const choice = live === 0 ? 'leave-running' : await askBeforeQuit(mainWindow, live);
  if (choice === 'cancel') {
    return;
  }
  if (choice === 'stop-all' && supervisor) {
    await stopAllWithProgress(supervisor, mainWindow).catch((error: unknown) => {
      console.error('[corral] stopping the agents before quitting failed:', error);
    });
  }
  quitDecided = true;
  app.quit();
}

/**
 * SIGTERM/SIGINT/SIGHUP (logout, a closed terminal, Ctrl-C): no question to ask, so CORRAL_ON_SIGNAL
 * decides, as `--on-signal` does for the headless host (see shutdown.ts). Registered once the engine is
 * open — after `ready`, so after Chromium has installed its own handlers — and taken back from them
 * (desktop/desktop-signals.ts); a signal before that quits the Electron way (before-quit, will-quit).
 * Attached to another host, a signal only closes this window's connection: that host's agents are not ours to stop.
 */
async function handleSignals(attached: boolean): Promise<void> {
  const onSignal = parseOnSignal(process.env['CORRAL_ON_SIGNAL']);
  if (typeof onSignal !== 'string') console.error(`[corral] CORRAL_ON_SIGNAL: ${onSignal.error} Using leave-running.`);
  await handleDesktopSignals(
    {
      mode: attached || typeof onSignal !== 'string' ? 'leave-running' : onSignal,
      stopAll: async (force) => {
        const opened = await openedPromise?.catch(() => null);
        if (opened?.kind !== 'own') return { unkillable: 0 };
        // No new agents from the corral command while they stop.
        await opened.socketHost?.close();
        return { unkillable: (await opened.engine.cleanup({ force })).unkillable.length };
      },
      close: async () => {
        quitDecided = true;
        await closeEngine();
        hasClosedEngine = true;
      },
      // app.exit skips before-quit and will-quit: the engine is closed already.
      exit: (code) => app.exit(code),
      log: (line) => console.error(`[corral] ${line}`),
      closeDeadlineMs: CLOSE_TIMEOUT_MS + 5_000,
      stopDeadlineMs: 20_000,
    },
    app.whenReady(),
  );
}

if (!app.requestSingleInstanceLock()) {
  // Another Corral is running; it gets focused through 'second-instance'.
  app.quit();
} else {
  app.enableSandbox();
  // Windows ties notifications and taskbar grouping to this id: the installer's (desktop/app-id.ts).
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  app.on('second-instance', () => {
    if (mainWindow !== null) {
      if (mainWindow.isMinimized()) {
        mainWindow.restore();
      }
      mainWindow.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents);
  });

  app.on('window-all-closed', () => {
    app.quit();
  });

  // With agents running, quitting asks first (stop them all, leave them running, or cancel).
  app.on('before-quit', (event) => {
    if (quitDecided || openedPromise === null) {
      return;
    }
    event.preventDefault();
    void decideQuit();
  });

  // 'will-quit' cannot await, so quitting is held once until the engine has closed.
  app.on('will-quit', (event) => {
    if (hasClosedEngine) {
      return;
    }
    event.preventDefault();
    if (isClosingEngine) {
      return;
    }
    isClosingEngine = true;
    void closeEngine().finally(() => {
      hasClosedEngine = true;
      app.quit();
    });
  });

  start().catch((error: unknown) => {
    console.error('[corral] start-up failed:', error);
    dialog.showErrorBox('Corral could not start', error instanceof Error ? error.message : String(error));
    app.quit();
  });
}
