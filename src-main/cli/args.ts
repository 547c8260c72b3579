/**
 * Flag parsing for every command (`node:util` parseArgs: subcommands are a
 * switch on the first word, so no library is needed). Every command takes
 * `--data-dir`; a wrong flag is exit code 2 with the command's usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolveDataDir } from '../local/data-dir';
import { usageError } from './exit-codes';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<V> {
  values: V;
  positionals: string[];
  dataDir: string;
}

/** Parses `argv` with `options` plus `--data-dir`; throws a usage error (exit 2) on anything unknown. */
export function parseCommand<V>(argv: string[], options: Options, usage: string, { positionals = true } = {}): Parsed<V> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, 'data-dir': { type: 'string' } }, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error), usage);
  }
  const values = parsed.values as V & { 'data-dir'?: string };
  return { values, positionals: parsed.positionals, dataDir: resolveDataDir(values['data-dir']) };
}

/** A whole number flag, or a usage error naming it. */
export function wholeNumber(value: string | undefined, flag: string, usage: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw usageError(`${flag} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`, usage);
  return number;
}
