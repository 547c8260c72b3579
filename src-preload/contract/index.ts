/**
 * The contract between the UI and its host (Electron main, or the web host):
 * every call, its channel, its input schema and its output type, and every
 * event, in one place.
 *
 * Main (`src-main/ipc`), the web host (`src-main/web`), the preload bridge and
 * the renderer all take their types from here. The contract imports nothing
 * but zod and itself: it is loaded in the renderer's world too, and must not
 * drag the engine (or Node) in with it; the engine takes its shared shapes
 * from here instead. The sandboxed preload imports `channels.ts` alone, which
 * carries no zod.
 *
 * - `schemas.ts`: every shared shape as a zod schema (types inferred)
 * - `views.ts`: what the UI may see, and the result of every call
 * - `channels.ts`: call and event names and their channels (zod-free)
 * - `calls.ts`: every call's input schema and output type; the `window.corral` API
 * - `events.ts`: every event's channel and payload
 * - `wire.ts`: WebSocket framing
 */
export * from './assert-never';
export * from './calls';
export * from './channels';
export * from './events';
export * from './schemas';
export * from './views';
export * from './wire';
