/**
 * Every event the host pushes to the UI: its channel and its payload.
 */
import { eventChannel, type EventChannel, type EventName } from './channels';
import type { LogStream } from './schemas';
import type { AgentView, NoticeKind, SeenMarkView, SummaryView } from './views';

/** Pushed at most once per sampling tick: the agents that changed, and the totals. */
export interface StatusEventView {
  seq: number;
  at: string;
  /**
   * The agents whose view changed since the last status event this connection was sent; every agent
   * in a connection's first. A runtime that alone moved is no change (`runtimeSecondsAt`).
   */
  agents: Record<string, AgentView>;
  summary: SummaryView;
  /** Agents removed since the last event. */
  removed: string[];
}

/** New bytes of a followed agent's log, coalesced (at most ~20 per second per agent). */
export interface LogEventView {
  agentId: string;
  stream: LogStream;
  offset: number;
  /** base64 */
  data: string;
  /** When its bytes were seen (see SeenMarkView); absent or empty when unknown. */
  seen?: SeenMarkView[];
}

/** Something the user should be told about now (the host shows it as a desktop notification too). */
export interface NoticeView {
  kind: NoticeKind;
  agentId: string | null;
  title: string;
  body: string;
  at: string;
}

/** Every event, by name, with its channel. Exactly the events of EVENT_NAMES: the `satisfies` fails the compile otherwise. */
export const events = {
  status: { channel: eventChannel('status') },
  log: { channel: eventChannel('log') },
  notice: { channel: eventChannel('notice') },
} as const satisfies { readonly [E in EventName]: { readonly channel: EventChannel<E> } };

/** Holds a payload map only when it names exactly the events of EVENT_NAMES (a missing or an extra one fails the compile). */
type PayloadsFor<T extends Record<EventName, unknown> & Record<Exclude<keyof T, EventName>, never>> = T;

/** Each event's payload. */
export type EventPayloads = PayloadsFor<{
  status: StatusEventView;
  log: LogEventView;
  notice: NoticeView;
}>;
