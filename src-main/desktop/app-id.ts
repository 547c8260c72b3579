/**
 * The installer's appId (electron-builder's `appId`), which Windows also uses
 * as the app's AppUserModelID: `app.setAppUserModelId` must name the same one
 * the installer's shortcut carries, or notifications may not show. One
 * source: the builder config itself, read when main is bundled (the import is
 * of a plain object; its electron-builder import is a type only).
 */
import builderConfig from '../../electron-builder.config';

if (typeof builderConfig.appId !== 'string' || builderConfig.appId === '') throw new Error('electron-builder.config.ts names no appId.');

/** E.g. `dev.corral.app`. */
export const APP_ID: string = builderConfig.appId;
