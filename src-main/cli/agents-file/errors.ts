/**
 * What can go wrong with an agents file, as values: a kind to switch on, the
 * file, where in it (when the parser knows), and a message that says what to
 * change.
 */

/** Where in the file a problem is (1-based, as editors count). */
export interface FilePosition {
  line: number;
  column: number;
}

export type AgentsFileErrorKind =
  /** The file cannot be read. */
  | 'unreadable'
  /** Not valid YAML (or JSON). */
  | 'syntax'
  /** A key the format does not have. */
  | 'unknown-key'
  /** A `depends_on` log pattern that is not a valid regular expression. */
  | 'bad-pattern'
  /** Any other value the format refuses (a wrong type, a policy out of range, an id too long…). */
  | 'invalid'
  /** `depends_on` names an agent the file does not have. */
  | 'unknown-dependency'
  /** `depends_on` goes round in a circle. */
  | 'cycle'
  /** A `secret_env` name is not set in the environment of `corral apply`. */
  | 'missing-secret';

export interface AgentsFileError {
  kind: AgentsFileErrorKind;
  /** The file, as given. */
  file: string;
  /** Null when the problem has no one place (a cycle spans several; an unreadable file has none). */
  position: FilePosition | null;
  /** The keys from the top of the file to the problem, e.g. `agents.web.restart.mode`; '' for the whole file. */
  path: string;
  /** For `unknown-key`: the keys refused. For `missing-secret`: the variables not set. For `cycle`: the agents in order, the first repeated at the end. */
  names: string[];
  /** What is wrong and what to do, without the file and position (see `formatAgentsFileError`). */
  message: string;
}

/** `file:line:column: message`, the form editors and terminals make clickable. */
export function formatAgentsFileError(error: AgentsFileError): string {
  const where = error.position === null ? error.file : `${error.file}:${error.position.line}:${error.position.column}`;
  return `${where}: ${error.message}`;
}

export type LoadResult<T> = { ok: true; value: T } | { ok: false; error: AgentsFileError };
