/**
 * The contract, served: one place that turns contract calls into engine calls
 * and engine events into contract events. Both transports (`ipc/` for the
 * Electron window, `web/` for the WebSocket host) sit on top of it and only
 * move bytes and check who is asking; neither knows what a call does.
 *
 * Plain Node: never imports Electron. What differs between hosts (opening a
 * folder, how to run a bundled script) comes in through `HostAdapter`.
 */
import type { EventName, EventPayloads, Result } from '../../src-preload/contract';

export interface HostAdapter {
  host: 'electron' | 'web';
  version: string;
  /** Opens a folder in the OS file manager; absent where there is none (the web host). */
  openFolder?: (dir: string) => Promise<void>;
  /** How this host runs a bundled Node script (Electron: its own binary with ELECTRON_RUN_AS_NODE=1). */
  nodeCommand: { program: string; env: Record<string, string> };
  /** Absolute path of the demo agent script shipped with the app. */
  demoAgentPath: string;
  /** Shows a desktop notification, where the host can (Electron). The web host forwards notices to the page instead. */
  notify?: (notice: EventPayloads['notice']) => void;
  /** Where this host serves Prometheus metrics, when it does (web host with --metrics-port). */
  metricsUrl?: string;
}

/** Receives the events meant for one client. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

/** One connected UI (the Electron window, or one WebSocket). */
export interface ContractClient {
  /**
   * Runs one call on behalf of this client: checks the name, parses the input
   * with the call's schema, calls the engine. Never throws; a bad name or
   * input is an `invalid-argument` result and changes nothing.
   */
  call(name: unknown, input: unknown): Promise<Result<unknown>>;
  /** Stops this client's events (and its log follows). */
  close(): void;
}

export interface ContractService {
  connect(send: EventSink): ContractClient;
  /** Disconnects every client and stops listening to the engine (the engine itself is closed by its owner). */
  close(): void;
}
