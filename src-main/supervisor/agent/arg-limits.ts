/**
 * Why the OS refused a command line (E2BIG, thrown by spawn before any
 * process exists): which limit it was over, with the sizes, so the user knows
 * what to shorten. Linux bounds each argument or environment entry by
 * MAX_ARG_STRLEN (128 KiB − 1 bytes) and all of them together by ARG_MAX
 * (`getconf ARG_MAX`: a quarter of the stack limit, usually 2 MiB); other
 * systems have an ARG_MAX only.
 */
import { MAX_ARG_BYTES } from '../../../src-preload/contract';

/** A sentence for the spawn-failed message, naming the limit `argv` + `env` are over. */
export function tooBigHint(argv: readonly string[], env: Readonly<Record<string, string>>): string {
  const entries = [...argv, ...Object.entries(env).map(([key, value]) => `${key}=${value}`)];
  let longest = 0;
  let total = 0;
  for (const entry of entries) {
    const bytes = Buffer.byteLength(entry, 'utf8') + 1; // + its NUL
    longest = Math.max(longest, bytes - 1);
    total += bytes + 8; // + its pointer in argv[] or envp[]
  }
  const perEntry =
    process.platform === 'linux' && longest > MAX_ARG_BYTES
      ? `one argument or environment entry holds ${longest} bytes, over the ${MAX_ARG_BYTES}-byte limit of each (MAX_ARG_STRLEN)`
      : `the arguments and environment take about ${total} bytes together, over ARG_MAX (see \`getconf ARG_MAX\`)`;
  return `The command line is too large for the OS: ${perEntry}. Pass long text on stdin instead.`;
}
