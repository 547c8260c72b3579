/**
 * The only writer of the state file (`<dataDir>/state.json`) and of the spawn
 * journal beside it (spawn-journal.ts).
 *
 * Writes go through conf (the engine under electron-store), atomically, and
 * are coalesced: a burst of transitions becomes one write per `flushDelayMs`.
 * What must be on disk at once (a spawn's record, before and right after its
 * process exists) goes to the journal: one small file per agent instead of the
 * whole state, which grows with every agent. Each write of state.json removes
 * the journal entries it covers; on open, the journal's entries that are newer
 * than state.json's records replace them.
 * A file that cannot be read, parsed or validated is kept byte for byte beside
 * the original under another name and reported, and the engine starts clean:
 * never a crash, never a silent wipe.
 */
import path from 'node:path';
import { z } from 'zod';
import { agentStateSchema, runRecordSchema, stopProgressSchema, stopReportSchema } from '../../../src-preload/contract';
import { messageOf } from '../errors';
import { emptyLogs } from '../logs/log-rotation';
import { persistedRequestSchema } from '../request-schema';
import { checkJson, openJsonFile, type ConfOptions, type FileDescription, type KeyValueFile } from './json-file';
import { SpawnJournal, type ParseEntry } from './spawn-journal';

export const STATE_FILE_NAME = 'state.json';
export const STATE_VERSION = 3;

const identitySchema = z.object({ pid: z.number().int().positive(), startTime: z.string() });

const offsetSchema = z.number().int().nonnegative();
const streamLogSchema = z.object({
  rotatedBytes: offsetSchema,
  parts: z.array(z.object({ start: offsetSchema, bytes: offsetSchema })),
  lostBytes: offsetSchema,
});

export const persistedAgentSchema = z.object({
  request: persistedRequestSchema,
  state: agentStateSchema,
  pid: z.number().int().positive().nullable(),
  startTime: z.string().nullable(),
  bootId: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
  notes: z.array(z.string()),
  adopted: z.boolean(),
  stopReport: stopReportSchema.nullable(),
  /** The stop in progress when saved, so a stop cut short by a crash resumes as forceful as it was. Optional: absent in early v2 files. */
  stopProgress: stopProgressSchema.nullable().optional(),
  knownMembers: z.array(identitySchema),
  logs: z.object({ stdout: streamLogSchema, stderr: streamLogSchema }),
  /** Secret env names, and their values sealed by the host's SecretBox (never in clear; secrets.ts). */
  secrets: z.object({ keys: z.array(z.string()), sealed: z.record(z.string(), z.string()) }).nullable(),
  runs: z.array(runRecordSchema),
  /** In backoff: when the next start is due (epoch ms). */
  nextRestartAt: z.number().nullable(),
});

const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  agents: z.record(z.string(), persistedAgentSchema),
});

export type PersistedAgent = z.infer<typeof persistedAgentSchema>;
export type StateFile = z.infer<typeof stateFileSchema>;

export type { ConfOptions, KeyValueFile } from './json-file';

export interface StateStoreOptions {
  dataDir: string;
  /** Opens the backing file; defaults to conf. The app passes electron-store. */
  openFile?: (options: ConfOptions) => KeyValueFile;
  flushDelayMs?: number;
  /** Reports problems (corrupt file kept aside, failed write) to the user. */
  warn: (message: string) => void;
}

export class StateStore {
  private file: KeyValueFile | null = null;
  private journal: SpawnJournal | null = null;
  private timer: NodeJS.Timeout | null = null;
  private collect: (() => StateFile['agents']) | null = null;
  private writes = 0;
  readonly path: string;

  private constructor(private readonly options: StateStoreOptions) {
    this.path = path.join(options.dataDir, STATE_FILE_NAME);
  }

  /** Opens the file, quarantining it first if it is unreadable, and returns its agents, with the journal's newer records in place of theirs. */
  static open(options: StateStoreOptions): { store: StateStore; agents: StateFile['agents'] } {
    const store = new StateStore(options);
    const opened = openJsonFile<StateFile>({
      file: store.path,
      schema: stateFileSchema,
      empty: () => ({ version: STATE_VERSION, agents: {} }),
      migrate,
      describe: STATE_FILE,
      openFile: options.openFile,
    });
    for (const warning of opened.warnings) options.warn(warning);
    store.file = opened.file; // null: unusable and not set aside, so never written over
    const { journal, found } = SpawnJournal.open(options.dataDir, parseEntry, options.warn);
    store.journal = journal;
    const agents = opened.value.agents;
    for (const [agentId, entry] of found) if (isNewer(entry, agents[agentId])) agents[agentId] = entry;
    return { store, agents };
  }

  /** Number of whole-file writes so far (coalescing is observable in tests and the bench). */
  get writeCount(): number {
    return this.writes;
  }

  /** Names the function that yields every agent record at write time. */
  setSource(collect: () => StateFile['agents']): void {
    this.collect = collect;
  }

  /** Schedules one write that will carry this and every other change made before it. */
  markDirty(): void {
    if (this.timer || !this.file) return;
    this.timer = setTimeout(() => this.flush(), this.options.flushDelayMs ?? 20);
  }

  /**
   * Puts one agent's record on disk before returning, ahead of the next write
   * of state.json: an entry in the spawn journal, or state.json itself when
   * the journal cannot take it.
   */
  writeAhead(agentId: string, record: PersistedAgent): void {
    const failure = this.journal?.write(agentId, JSON.stringify({ version: STATE_VERSION, agents: { [agentId]: record } }));
    if (failure === null) return;
    // No journal (its folder was unusable: said at open) or a record too large for it: quietly the slow way.
    if (failure?.kind === 'io') this.options.warn(`Could not write the spawn journal entry of "${agentId}" (${failure.message}); the whole state file was written instead.`);
    this.flush();
  }

  /** Writes now if anything is pending. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.file || !this.collect) return;
    try {
      const covered = this.journal?.mark() ?? 0; // before collecting: an entry written after this is newer than what is saved
      this.file.store = { version: STATE_VERSION, agents: this.collect() };
      this.writes++;
      this.journal?.clearThrough(covered);
    } catch (error) {
      this.options.warn(`Could not save agent state to ${this.path}: ${messageOf(error)}. Will retry on the next change.`);
    }
  }

  close(): void {
    this.flush();
    this.file = null;
  }
}

/** A journal entry is a state file of one agent, the one it is named for: the same schema, the same migrations. */
const parseEntry: ParseEntry<PersistedAgent> = (json, agentId) => {
  const parsed = checkJson(json, stateFileSchema, migrate);
  if (!parsed.ok) return parsed;
  const [only, ...others] = Object.entries(parsed.value.agents);
  if (only === undefined || others.length > 0 || only[0] !== agentId || only[1].request.agentId !== agentId) {
    return { ok: false, reason: `it does not hold the record of "${agentId}" alone` };
  }
  return { ok: true, value: only[1] };
};

/**
 * Whether a journal entry is newer than state.json's record of its agent. An
 * entry is what a run's start wrote, and a run's entry replaces the one before,
 * so an entry of another run than state.json's last is one state.json never saw
 * (a new agent, or one removed and started again). Of the same run, state.json
 * is newer unless it saved less of the start: an entry is left stale only when
 * Corral stopped between a write of state.json and the removal of what it covered.
 */
function isNewer(entry: PersistedAgent, saved: PersistedAgent | undefined): boolean {
  const [run, savedRun] = [entry.runs.at(-1), saved?.runs.at(-1)];
  if (savedRun === undefined || run?.run !== savedRun.run || run.startedAt !== savedRun.startedAt) return true;
  return startProgress(entry) > startProgress(saved!);
}

/** How much of its start a record holds: spawning (its pid, its start time), or past it. */
function startProgress(record: PersistedAgent): number {
  if (record.state !== 'spawning') return 3;
  return Number(record.pid !== null) + Number(record.startTime !== null);
}

const STATE_FILE: FileDescription = {
  what: 'state file',
  afterSetAside: 'Corral started with no saved agents',
  whileStuck: 'Corral will not save agent state until it is fixed or removed.',
};

/**
 * Brings older state files to the current version, one step at a time.
 * 1 → 2: log rotation; every agent's logs start unrotated (offset 0, no parts).
 * 2 → 3: lifecycle policies; no secrets, no runs on record, no restart due.
 * Anything unrecognised is passed through for the schema to reject (and quarantine).
 */
function migrate(json: unknown): unknown {
  const step = (from: number, change: (record: Record<string, unknown>) => Record<string, unknown>) => {
    if (!isRecord(json) || json['version'] !== from || !isRecord(json['agents'])) return;
    const agents: Record<string, unknown> = {};
    for (const [agentId, record] of Object.entries(json['agents'])) agents[agentId] = isRecord(record) ? change(record) : record;
    json = { ...json, version: from + 1, agents };
  };
  step(1, (record) => ({ ...record, logs: emptyLogs() }));
  step(2, (record) => ({ ...record, secrets: null, runs: [], nextRestartAt: null }));
  return json;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
