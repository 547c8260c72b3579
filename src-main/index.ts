/**
 * Electron main: app lifecycle, the window, and the wiring between the engine
 * and the contract. Everything else lives in `supervisor/` (the engine) and
 * `ipc/` (the bridge's main side).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, session, type Session, type WebContents } from 'electron';
import ElectronStore from 'electron-store';
import { createContractService, type ContractService } from './api/index';
import { desktopHostAdapter } from './desktop/host-adapter';
import { safeStorageBox } from './desktop/secret-box';
import { askBeforeQuit, liveAgentCount, stopAllWithProgress } from './desktop/quit-guard';
import { bindContract } from './ipc/bind-contract';
import { isFromMainFrameOf } from './ipc/trusted-sender';
import { handleShutdownSignals, parseOnSignal } from './shutdown';
import { createSupervisor, type OpenFile, type Supervisor } from './supervisor/index';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD_FILE = path.join(here, '../preload/index.cjs');
const RENDERER_FILE = path.join(here, '../renderer/index.html');

/** electron-vite's dev server; never trusted in a packaged app. */
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

/** Also set as a meta tag in index.html, which is what applies to file:// pages. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

/** How long quitting waits for the engine to stop its timers before giving up. */
const CLOSE_TIMEOUT_MS = 5_000;

let supervisorPromise: Promise<Supervisor> | null = null;
let service: ContractService | null = null;
/** Set once the user has answered the quit question (or there was nothing to ask). */
let quitDecided = false;
let mainWindow: BrowserWindow | null = null;
let hasClosedEngine = false;
let isClosingEngine = false;

/** True for the pages this app serves: the dev server in dev, index.html once built. */
function isAppUrl(rawUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (devServerUrl !== undefined) {
    return url.origin === new URL(devServerUrl).origin;
  }
  return url.protocol === 'file:' && url.pathname === pathToFileURL(RENDERER_FILE).pathname;
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
  // Closing the window quits; ask first while agents run (a cancelled quit keeps the window).
  window.on('close', (event) => {
    if (!quitDecided && supervisorPromise !== null) {
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

  // The state file and the settings file each keep their one writer (the engine's state module, the settings store); in the app both write through electron-store.
  const openStore: OpenFile = (options) => new ElectronStore({ ...options, name: options.configName });
  supervisorPromise = createSupervisor({
    dataDir: path.join(app.getPath('userData'), 'data'),
    // A web host (or script) already on this folder: createSupervisor throws, and start()'s catch shows its message and quits.
    hostKind: 'desktop',
    openStore,
    secretBox: safeStorageBox(),
  });
  const supervisor = await supervisorPromise;
  service = createContractService(supervisor, desktopHostAdapter(), { openStore });

  // Bound before the window exists, so its first call finds a handler.
  bindContract({
    service,
    contents: () => mainWindow?.webContents ?? null,
    isTrustedSender: (event) =>
      mainWindow !== null && isFromMainFrameOf(event, mainWindow.webContents, isAppUrl),
  });
  mainWindow = createMainWindow();
}

/** Stops the engine's sampling and timers. Agents keep running; the next start adopts them. */
async function closeEngine(): Promise<void> {
  if (supervisorPromise === null) {
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
    const supervisor = await supervisorPromise.catch(() => null);
    service?.close();
    if (supervisor !== null) {
      await Promise.race([supervisor.close(), timeout]);
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
  const supervisor = await supervisorPromise?.catch(() => null);
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

if (!app.requestSingleInstanceLock()) {
  // Another Corral is running; it gets focused through 'second-instance'.
  app.quit();
} else {
  app.enableSandbox();

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
    if (quitDecided || supervisorPromise === null) {
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

  // SIGTERM/SIGINT/SIGHUP (logout, a closed terminal): no question to ask, so CORRAL_ON_SIGNAL
  // decides, as `--on-signal` does for the web host (see shutdown.ts).
  const onSignal = parseOnSignal(process.env['CORRAL_ON_SIGNAL']);
  if (typeof onSignal !== 'string') console.error(`[corral] CORRAL_ON_SIGNAL: ${onSignal.error} Using leave-running.`);
  handleShutdownSignals({
    mode: typeof onSignal === 'string' ? onSignal : 'leave-running',
    stopAll: async (force) => {
      const supervisor = await supervisorPromise?.catch(() => null);
      if (!supervisor) return { unkillable: 0 };
      return { unkillable: (await supervisor.cleanup({ force })).unkillable.length };
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
  });

  start().catch((error: unknown) => {
    console.error('[corral] start-up failed:', error);
    dialog.showErrorBox('Corral could not start', error instanceof Error ? error.message : String(error));
    app.quit();
  });
}
