/** Types for scripts/find-chromium.mjs (plain JavaScript so `npm test` can run it before anything is built). */
export declare const ENV_VARIABLES: readonly string[];
export declare const PATH_COMMANDS: readonly string[];
export declare const USUAL_LOCATIONS: readonly string[];
export type FindChromiumResult =
  | { ok: true; path: string; source: string }
  | { ok: false; error: { kind: 'bad-variable' | 'not-found'; message: string } };
/** Finds a Chromium or Chrome: $CHROMIUM_PATH/$CHROME_PATH, PATH, the usual locations, Playwright's cache. */
export declare function findChromium(options?: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): FindChromiumResult;
