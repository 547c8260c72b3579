/**
 * Every call: its channel, its input schema and its output type. Adding a call
 * means adding its name to CALL_NAMES and one entry here; the compiler then
 * points at every place that must follow (hosts, bridge, clients).
 */
import { z } from 'zod';
import { CALL_NAMES, callChannel, type CallChannel, type CallName, type EventName } from './channels';
import type { EventPayloads } from './events';
import { agentIdSchema, agentRefSchema, logReadSchema, policyChangeSchema, spawnRequestSchema, type RunView, type StopReportView } from './schemas';
import {
  NOTICE_KINDS,
  type AgentRequestView,
  type AgentView,
  type CleanupView,
  type HistoryPointView,
  type HostInfoView,
  type LogSliceView,
  type OrphanStopView,
  type OrphanView,
  type PresetView,
  type ProcessView,
  type Result,
  type SettingsView,
  type SpawnResultView,
  type SummaryView,
} from './views';

/** Type-only key that carries a call's output type; no value ever has it. */
declare const outputType: unique symbol;

export interface CallSpec<TInput extends z.ZodType = z.ZodType, TOutput = unknown> {
  /** The IPC channel, `corral:<name>` (over the WebSocket a call is sent by its name). */
  readonly channel: CallChannel;
  /** Schema of the single argument; hosts parse every payload with it before use. */
  readonly input: TInput;
  readonly [outputType]?: TOutput;
}

/** A call before its channel is derived from its name. */
type CallDefinition<TInput extends z.ZodType = z.ZodType, TOutput = unknown> = Omit<CallSpec<TInput, TOutput>, 'channel'>;

function defineCall<TOutput>() {
  return <TInput extends z.ZodType>(input: TInput): CallDefinition<TInput, TOutput> => ({ input });
}

// Exactly the calls of CALL_NAMES: the `satisfies` fails the compile on a missing or an extra one.
const definitions = {
  /** Facts about the host; warnings to show once. */
  getHostInfo: defineCall<HostInfoView>()(z.void()),
  /** Every agent's status, keyed by agent id. */
  monitorAllAgents: defineCall<Record<string, AgentView>>()(z.void()),
  /** Totals over every agent. */
  getProcessSummary: defineCall<SummaryView>()(z.void()),
  getAgent: defineCall<AgentView>()(agentRefSchema),
  getAgentRequest: defineCall<AgentRequestView>()(agentRefSchema),
  /** Retained samples of the agent's tree, oldest first. */
  getAgentHistory: defineCall<HistoryPointView[]>()(agentRefSchema),
  /** The agent's processes as last sampled, root first. */
  getProcessTree: defineCall<ProcessView[]>()(agentRefSchema),
  /** Launch templates, with whether each program is on PATH. */
  listPresets: defineCall<PresetView[]>()(z.void()),
  /** Starts an agent. A program that cannot start is a `failed` result, not an error. */
  spawnAgent: defineCall<SpawnResultView>()(spawnRequestSchema),
  /** Starts an ended agent again with the request it was started with. */
  runAgain: defineCall<SpawnResultView>()(agentRefSchema),
  /** Stops a running agent gracefully, then starts it again with the same request (a new run, trigger `user`). */
  restartAgent: defineCall<SpawnResultView>()(agentRefSchema),
  /** Freezes a running agent's whole tree (cgroup.freeze, else SIGSTOP); it is `paused` until resumed or stopped. Not running: `not-running`. */
  pauseAgent: defineCall<AgentView>()(agentRefSchema),
  /** Lets a paused agent's tree run again (thaw, else SIGCONT). Not paused: `not-running`. */
  resumeAgent: defineCall<AgentView>()(agentRefSchema),
  /** Stops an agent's whole tree: gracefully in three stages, or at once with `force`. */
  stopAgent: defineCall<StopReportView>()(z.strictObject({ agentId: agentIdSchema, force: z.boolean().optional() })),
  /** Stops every live agent in parallel. */
  stopAll: defineCall<CleanupView>()(z.strictObject({ force: z.boolean().optional() })),
  /** Forgets an ended agent and deletes its logs. */
  removeAgent: defineCall<null>()(agentRefSchema),
  /** Forgets every agent that has ended for good (not live, stopping or waiting to restart) and deletes their logs; the ids removed. */
  removeFinished: defineCall<string[]>()(z.void()),
  /** Nudges the parents of zombie descendants; returns the agent ids acted on. */
  reapZombies: defineCall<string[]>()(z.void()),
  /** Reads up to `maxBytes` of a log file ending at `before` (paging older content). */
  readLog: defineCall<LogSliceView>()(logReadSchema),
  /** Chooses whose logs this client receives as `log` events (replaces the previous choice). */
  followLogs: defineCall<null>()(z.strictObject({ agentIds: z.array(agentIdSchema).max(100, 'follow at most 100 agents at once') })),
  /** Sweeps now for orphans: processes of ours (agent marker, our data dir) that no live agent accounts for. */
  listOrphans: defineCall<OrphanView[]>()(z.void()),
  /** Stops listed orphans with the staged stop (or SIGKILL with `force`); pid + start time must still match. */
  stopOrphans: defineCall<OrphanStopView>()(
    z.strictObject({
      orphans: z
        .array(z.strictObject({ pid: z.number().int().min(2).max(2 ** 31 - 1), startTime: z.string().min(1).max(40) }), { error: 'orphans must be a list of { pid, startTime }' })
        .min(1, 'name at least one orphan')
        .max(1000, 'stop at most 1000 orphans at once'),
      force: z.boolean().optional(),
    }),
  ),
  /** The agent's runs on record, oldest first (bounded; see the engine's MAX_RUNS). */
  getRunHistory: defineCall<RunView[]>()(agentRefSchema),
  /** Changes an agent's policies now (niceness is applied to its live tree) and for its next runs. */
  updateAgentPolicies: defineCall<AgentView>()(policyChangeSchema),
  getSettings: defineCall<SettingsView>()(z.void()),
  /** Turns notice kinds on or off; kinds not named keep their setting. Saved at once. */
  updateSettings: defineCall<SettingsView>()(z.strictObject({ notifications: z.partialRecord(z.enum(NOTICE_KINDS), z.boolean()) })),
  /** Opens the agent's log folder in the file manager (desktop app only). */
  openLogFolder: defineCall<null>()(agentRefSchema),
} satisfies { readonly [K in CallName]: CallDefinition };

type Definitions = typeof definitions;

/** Every call, by name, with its channel (`corral:<name>`). The name is the method on `window.corral`. */
export const calls = Object.fromEntries(CALL_NAMES.map((name) => [name, { ...definitions[name], channel: callChannel(name) }])) as {
  readonly [K in CallName]: Definitions[K] & { readonly channel: CallChannel<K> };
};

export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = (typeof calls)[K] extends CallSpec<z.ZodType, infer O> ? O : never;
export type CallArgs<K extends CallName> = [CallInput<K>] extends [void] ? [] : [input: CallInput<K>];

/** The API the preload exposes as `window.corral` (and the WebSocket client implements). */
export type CorralApi = {
  readonly [K in CallName]: (...args: CallArgs<K>) => Promise<Result<CallOutput<K>>>;
} & {
  /** Calls `listener` for every `event`; returns the function that stops it. */
  readonly subscribe: <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => () => void;
};
