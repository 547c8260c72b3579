/**
 * A JSON file Corral owns (`state.json`, `settings.json`): read and checked
 * here, written through conf (the engine under electron-store, which writes
 * atomically), opened with `clearInvalidConfig: false` so conf never wipes it.
 *
 * A file that cannot be read, parsed or validated is kept byte for byte
 * beside the original under another name and reported, and its owner starts
 * from a clean value: never a crash, never a silent wipe. One that cannot
 * even be set aside is never written over.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import type { z } from 'zod';
import { errnoOf, messageOf } from '../errors';
import { setAside } from './set-aside';

/** The part of conf / electron-store Corral uses, so the app can hand in an electron-store. */
export interface KeyValueFile {
  readonly path: string;
  store: Record<string, unknown>;
}

/** What conf / electron-store is opened with: the file is `<cwd>/<configName>.<fileExtension>`. */
export interface ConfOptions {
  cwd: string;
  configName: string;
  fileExtension: string;
  clearInvalidConfig: false;
  configFileMode: number;
  /** Absent: conf's own (tab-indented JSON). */
  serialize?: (value: Record<string, unknown>) => string;
}

/** Opens a file through conf; the app passes one that opens electron-store. */
export type OpenFile = (options: ConfOptions) => KeyValueFile;

/** How the user is told about a file, and what they get while it is unusable. */
export interface FileDescription {
  /** Named in messages: 'state file'. */
  what: string;
  /** What applies once it was set aside, after "It is kept as …;": 'Corral started with no saved agents'. */
  afterSetAside: string;
  /** What applies while it cannot be set aside, a sentence: 'Corral will not save agent state until it is fixed or removed.' */
  whileStuck: string;
}

export interface LoadOptions<T> {
  /** The value when the file is missing or unusable. */
  empty: () => T;
  /** Brings an older file to the current shape; whatever it cannot place goes to the schema to reject. */
  migrate?: (json: unknown) => unknown;
  describe: FileDescription;
}

export interface Loaded<T> {
  /** The file's content, or `empty()` when it is missing or unusable. */
  value: T;
  /** What the user should be told; null when the file was fine or missing. */
  warning: string | null;
  /** False when an unusable file could not be set aside: it must never be written over. */
  writable: boolean;
}

/**
 * Reads `file`, migrates it, and checks it against `schema`. A missing file
 * is the empty value with no warning; an unusable one is set aside (see
 * `setAside`) and the empty value comes with a warning naming the kept copy.
 */
export function loadOrSetAside<T>(file: string, schema: z.ZodType<T>, options: LoadOptions<T>): Loaded<T> {
  const unusable = (reason: string): Loaded<T> => ({ value: options.empty(), ...setAsideAndTell(file, reason, options.describe) });
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { value: options.empty(), warning: null, writable: true };
    return unusable(`it could not be read (${messageOf(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return unusable(`it is not valid JSON (${messageOf(error)})`);
  }
  const checked = checkJson(json, schema, options.migrate);
  if (!checked.ok) return unusable(checked.reason);
  return { value: checked.value, warning: null, writable: true };
}

/** Brings parsed JSON up to date with `migrate` and checks it against `schema`; or why it is unusable, completing "… because …". */
export function checkJson<T>(json: unknown, schema: z.ZodType<T>, migrate?: (json: unknown) => unknown): { ok: true; value: T } | { ok: false; reason: string } {
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = schema.safeParse(migrate === undefined ? json : migrate(json));
  } catch (error) {
    return { ok: false, reason: `it could not be brought up to date (${messageOf(error)})` };
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    return { ok: false, reason: `it does not match the expected format (${where}${issue?.message ?? 'unknown problem'})` };
  }
  return { ok: true, value: parsed.data };
}

export interface JsonFileSpec<T> extends LoadOptions<T> {
  /** Its path; conf is opened on its folder, base name and extension. */
  file: string;
  schema: z.ZodType<T>;
  /** Defaults to conf. */
  openFile?: OpenFile;
  serialize?: ConfOptions['serialize'];
}

export interface OpenedJsonFile<T> {
  value: T;
  /** Where to write; null while the file is unusable and could not be set aside (never written over). */
  file: KeyValueFile | null;
  /** What the user should be told, in order. */
  warnings: string[];
}

/** Loads the file (see `loadOrSetAside`) and opens its writer, which creates it 0600. */
export function openJsonFile<T>(spec: JsonFileSpec<T>): OpenedJsonFile<T> {
  const { file } = spec;
  const loaded = loadOrSetAside(file, spec.schema, spec);
  const warnings = loaded.warning === null ? [] : [loaded.warning];
  if (!loaded.writable) return { value: loaded.value, file: null, warnings };

  const openFile = spec.openFile ?? ((options: ConfOptions) => new Conf(options) as unknown as KeyValueFile);
  const options: ConfOptions = {
    cwd: path.dirname(file),
    configName: path.basename(file, path.extname(file)),
    fileExtension: path.extname(file).slice(1),
    clearInvalidConfig: false,
    configFileMode: 0o600,
    ...(spec.serialize === undefined ? {} : { serialize: spec.serialize }),
  };
  try {
    return { value: loaded.value, file: openFile(options), warnings };
  } catch (error) {
    // It changed between our read and conf's (which throws rather than clear it): set that aside too, then open clean.
    const again = setAsideAndTell(file, `it could not be opened (${messageOf(error)})`, spec.describe);
    warnings.push(again.warning);
    if (!again.writable) return { value: loaded.value, file: null, warnings };
    try {
      return { value: loaded.value, file: openFile(options), warnings };
    } catch (secondError) {
      warnings.push(`The ${spec.describe.what} ${file} could not be opened (${messageOf(secondError)}). ${spec.describe.whileStuck}`);
      return { value: loaded.value, file: null, warnings };
    }
  }
}

/** Keeps the unusable file byte for byte under a new name and removes it; the message for the user. */
function setAsideAndTell(file: string, reason: string, describe: FileDescription): { warning: string; writable: boolean } {
  const outcome = setAside(file);
  if ('kept' in outcome) {
    return { warning: `The ${describe.what} ${file} was set aside because ${reason}. It is kept as ${outcome.kept}; ${describe.afterSetAside}.`, writable: true };
  }
  return {
    warning: `The ${describe.what} ${file} is unusable because ${reason}, and could not be set aside (${outcome.failure}). ${describe.whileStuck}`,
    writable: false,
  };
}
