import type { CorralApi } from '../src-preload/contract';

declare global {
  interface Window {
    /** The contract, exposed by the preload. Absent when the page is opened in a plain browser. */
    readonly corral?: CorralApi;
  }
}

export {};
