/**
 * The only writer of the state file (`<dataDir>/state.json`).
 *
 * Writes go through conf (the engine under electron-store), atomically, and
 * are coalesced: a burst of transitions becomes one write per `flushDelayMs`.
 * A file that cannot be read, parsed or validated is kept byte for byte beside
 * the original under another name and reported, and the engine starts clean:
 * never a crash, never a silent wipe.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { z } from 'zod';
import { errnoOf, messageOf } from '../errors';
import { emptyLogs } from '../logs/log-rotation';
import { persistedRequestSchema } from '../request-schema';
import { setAside } from './set-aside';

export const STATE_FILE_NAME = 'state.json';
export const STATE_VERSION = 3;

const stateSchema = z.enum(['spawning', 'running', 'stopping', 'backoff', 'completed', 'failed', 'crash-looping', 'cancelled', 'lost']);
const identitySchema = z.object({ pid: z.number().int().positive(), startTime: z.string() });
const stopReportSchema = z.object({
  agentId: z.string(),
  forced: z.boolean(),
  outcome: z.enum(['stopped', 'unkillable', 'already-ended']),
  startedAt: z.string(),
  durationMs: z.number(),
  processCount: z.number(),
  endedByStage: z.object({ term1: z.number(), term2: z.number(), kill: z.number() }),
  survivors: z.array(z.object({ pid: z.number(), name: z.string() })),
});

const stopProgressSchema = z.object({
  stage: z.enum(['term1', 'term2', 'kill']),
  forced: z.boolean(),
  deadline: z.number(),
  stageMs: z.object({ term1: z.number(), term2: z.number(), kill: z.number() }),
});

const offsetSchema = z.number().int().nonnegative();
const streamLogSchema = z.object({
  rotatedBytes: offsetSchema,
  parts: z.array(z.object({ start: offsetSchema, bytes: offsetSchema })),
  lostBytes: offsetSchema,
});

const stageSchema = z.enum(['term1', 'term2', 'kill']);
const exitSchema = z.object({
  kind: z.enum(['exited', 'signalled', 'stopped', 'spawn-failed', 'unknown']),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  stopStage: stageSchema.nullable(),
  stoppedBy: z.enum(['user', 'guard']).nullable(),
  possiblyOutOfMemory: z.boolean(),
  spawn: z.object({ argv: z.array(z.string()), cwd: z.string(), path: z.string() }).nullable(),
  summary: z.string(),
});
const runSchema = z.object({
  run: z.number().int().positive(),
  trigger: z.enum(['user', 'restart', 'guard']),
  pid: z.number().int().positive().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  exit: exitSchema.nullable(),
  peakCpuPercent: z.number().nullable(),
  peakMemoryMb: z.number().nullable(),
});

export const persistedAgentSchema = z.object({
  request: persistedRequestSchema,
  state: stateSchema,
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
  runs: z.array(runSchema),
  /** In backoff: when the next start is due (epoch ms). */
  nextRestartAt: z.number().nullable(),
});

const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  agents: z.record(z.string(), persistedAgentSchema),
});

export type PersistedAgent = z.infer<typeof persistedAgentSchema>;
export type StateFile = z.infer<typeof stateFileSchema>;

/** The part of conf / electron-store this module uses, so the app can hand in an electron-store. */
export interface KeyValueFile {
  readonly path: string;
  store: Record<string, unknown>;
}

export interface ConfOptions {
  cwd: string;
  configName: string;
  clearInvalidConfig: false;
  configFileMode: number;
}

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
  private timer: NodeJS.Timeout | null = null;
  private collect: (() => StateFile['agents']) | null = null;
  private writes = 0;
  readonly path: string;

  private constructor(private readonly options: StateStoreOptions) {
    this.path = path.join(options.dataDir, STATE_FILE_NAME);
  }

  /** Opens the file, quarantining it first if it is unreadable, and returns its agents. */
  static open(options: StateStoreOptions): { store: StateStore; agents: StateFile['agents'] } {
    const store = new StateStore(options);
    const loaded = store.loadOrQuarantine();
    if (loaded === null) return { store, agents: {} }; // unusable and not set aside: never overwrite it
    const openFile = options.openFile ?? ((confOptions: ConfOptions) => new Conf(confOptions) as unknown as KeyValueFile);
    const confOptions: ConfOptions = { cwd: options.dataDir, configName: 'state', clearInvalidConfig: false, configFileMode: 0o600 };
    try {
      store.file = openFile(confOptions);
    } catch (error) {
      // It changed between our read and conf's: set that aside too, then open clean.
      if (store.quarantine(`it could not be opened (${messageOf(error)})`)) store.file = openFile(confOptions);
    }
    return { store, agents: loaded };
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

  /** Writes now if anything is pending. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.file || !this.collect) return;
    try {
      this.file.store = { version: STATE_VERSION, agents: this.collect() };
      this.writes++;
    } catch (error) {
      this.options.warn(`Could not save agent state to ${this.path}: ${messageOf(error)}. Will retry on the next change.`);
    }
  }

  close(): void {
    this.flush();
    this.file = null;
  }

  /** The saved agents; {} after setting an unusable file aside; null when it is unusable and stays in place. */
  private loadOrQuarantine(): StateFile['agents'] | null {
    let raw: string;
    try {
      raw = readFileSync(this.path, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return {};
      return this.quarantine(`it could not be read (${messageOf(error)})`) ? {} : null;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      return this.quarantine(`it is not valid JSON (${messageOf(error)})`) ? {} : null;
    }
    const parsed = stateFileSchema.safeParse(migrate(json));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.quarantine(`it does not match the expected format (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`) ? {} : null;
    }
    return parsed.data.agents;
  }

  /** Keeps the unusable file byte for byte under a new name, removes it, and tells the user. */
  private quarantine(reason: string): boolean {
    const outcome = setAside(this.path);
    if ('kept' in outcome) {
      this.options.warn(`The state file ${this.path} was set aside because ${reason}. It is kept as ${outcome.kept}; Corral started with no saved agents.`);
      return true;
    }
    this.options.warn(
      `The state file ${this.path} is unusable because ${reason}, and could not be set aside (${outcome.failure}). ` +
        'Corral will not save agent state until it is fixed or removed.',
    );
    return false;
  }
}

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
