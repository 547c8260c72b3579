/**
 * The `corral` command's exit codes (documented in the README's "Command
 * line" section; scripts switch on them).
 */
export const EXIT = {
  ok: 0,
  /** The agent failed (run --follow, wait), a stop left survivors, or the host could not do what was asked. */
  failed: 1,
  /** A wrong flag or argument: the message says which, and how the command is used. */
  usage: 2,
  /** No host owns the data folder and `--no-start` (or a command that never starts one) was given. */
  noHost: 3,
  /** No agent has that id. */
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure that ends the command: its message (what to do next) goes to stderr, then it exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A wrong flag or argument, with the command's usage line appended. */
export function usageError(message: string, usage: string): CliError {
  return new CliError(EXIT.usage, `${message}\nUsage: ${usage}`);
}
