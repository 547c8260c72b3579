/**
 * What the page says when it cannot reach Corral at all. Which advice is
 * right depends on where the page runs: in a browser, the page lacks the web
 * host's URL; inside the desktop app, the bridge its preload script should
 * have put on `window.corral` is missing, so the app itself is damaged, and
 * the web host's URL would be no help.
 */

/** A failure of the first connection: a title and what to do, shown as is. */
export class ConnectFailure extends Error {
  constructor(
    message: string,
    readonly title = 'Could not connect to the Corral host.',
  ) {
    super(message);
    this.name = 'ConnectFailure';
  }
}

/** Where the page runs, as `connect` reads it. */
export interface PagePlace {
  /** `location.protocol` */
  protocol: string;
  /** `navigator.userAgent` */
  userAgent: string;
}

/**
 * True when the page is the desktop app's window: the built app loads it from
 * a file (the web host never serves one), and under `npm run dev` Electron's
 * own user agent names it. The app never changes its user agent.
 */
export function isDesktopWindow(place: PagePlace): boolean {
  return place.protocol === 'file:' || /\bElectron\//.test(place.userAgent);
}

/** The desktop window without its bridge: the preload script did not load (a damaged or partial install). */
export function damagedAppFailure(): ConnectFailure {
  return new ConnectFailure(
    'This window opened without the part that connects it to Corral (its preload script did not load), so nothing here can work. ' +
      'Reinstall Corral: quit it and install the latest release over this one (the AppImage downloaded again, `sudo apt install --reinstall corral` for the .deb, the installer run again on Windows or macOS). ' +
      'Your agents, logs and settings are kept: they live in your data folder, not in the app. Running from source? Run `npm run build` and start it again.',
    'Corral is damaged: this window cannot reach the app.',
  );
}
