/**
 * The New agent dialog's Command line field: text → argv with shell-style
 * quoting, and argv → text for the way back from the one-per-line editor.
 * No shell ever runs: this only splits words, so anything a shell would do
 * beyond that (pipes, redirections, variables, globs, `~`, comments) is
 * refused with a message instead of silently meaning something else.
 *
 * Quoting, as in a POSIX shell:
 * - `'…'` keeps everything literally, newlines included;
 * - `"…"` keeps everything but `\"`, `\\`, `` \` ``, `\$` (the quoted char) and
 *   backslash-newline (removed); `$` and `` ` `` unescaped are refused;
 * - outside quotes a backslash keeps the next character (backslash-newline
 *   joins lines); spaces, tabs and newlines separate arguments;
 * - `""` and `''` are an empty argument.
 *
 * Own tokenizer rather than `shell-quote` (1.12.0, tried): its `parse` accepts
 * unbalanced quotes silently (`it's` → ["it", "s"], `a "b` → ["a", "b"]),
 * turns `${HOME}` into "" (or "$HOME" with an env callback, braces lost), and
 * makes backslash-newline an empty argument; refusing those needs a quote-aware
 * scan of our own, which is this whole tokenizer.
 */

export type CommandLineResult = { ok: true; argv: string[] } | { ok: false; error: string };

const BLANK = new Set([' ', '\t', '\n', '\r']);
/** Unquoted, these mean something to a shell that Corral will not do. */
const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);
const GLOBS = new Set(['*', '?', '[']);
const NO_SHELL = "Corral runs no shell — quote it to pass it as is, or use /bin/sh -c '…'";

function at(index: number): string {
  return `(character ${index + 1})`;
}

/** Splits `text` into argv; refuses unbalanced quotes and shell syntax with a message saying where and what to do. */
export function parseCommandLine(text: string): CommandLineResult {
  const argv: string[] = [];
  let word = '';
  /** A word is under way (so `""` counts as an empty argument). */
  let inWord = false;
  let i = 0;
  const fail = (error: string): CommandLineResult => ({ ok: false, error });
  while (i < text.length) {
    const c = text[i]!;
    if (BLANK.has(c)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return fail(`Unclosed ' quote ${at(i)}: close it with another '.`);
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
      continue;
    }
    if (c === '"') {
      const start = i;
      i++;
      for (;;) {
        if (i >= text.length) return fail(`Unclosed " quote ${at(start)}: close it with another ".`);
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') return fail(`\`${d}\` inside "…" ${at(i)} would be expanded by a shell; Corral runs no shell — write \\${d} or put it in '…' to pass it as is, or use /bin/sh -c '…'.`);
        word += d;
        i++;
      }
      inWord = true;
      i++;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= text.length) return fail(`A lone \\ ends the line ${at(i)}: remove it, or write \\\\ for a backslash.`);
      if (text[i + 1] !== '\n') {
        word += text[i + 1];
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (OPERATORS.has(c)) return fail(`\`${c}\` ${at(i)} is shell syntax; Corral runs no shell — use /bin/sh -c '…', or quote it to pass it as is.`);
    if (c === '$' || c === '`') return fail(`\`${c}\` ${at(i)} would be expanded by a shell; ${NO_SHELL}.`);
    if (GLOBS.has(c)) return fail(`\`${c}\` ${at(i)} would be a file pattern to a shell; ${NO_SHELL}.`);
    if (!inWord && (c === '~' || c === '#')) {
      const what = c === '~' ? 'would be your home folder to a shell' : 'starts a comment in a shell';
      return fail(`\`${c}\` at the start of an argument ${at(i)} ${what}; ${NO_SHELL}.`);
    }
    word += c;
    inWord = true;
    i++;
  }
  if (inWord) argv.push(word);
  return { ok: true, argv };
}

/** Characters an argument may hold and still be written bare (the tokenizer reads them back as they are). */
const BARE = /^[A-Za-z0-9_\-+=.,/:@%^{}]+$/;

/** One argument written so parseCommandLine reads it back exactly: bare when it can be, else in single quotes. */
export function quoteArgument(arg: string): string {
  if (BARE.test(arg) && !arg.startsWith('~') && !arg.startsWith('#')) return arg;
  return `'${arg.split("'").join(`'"'"'`)}'`;
}

/** argv as Command line text; `parseCommandLine(formatCommandLine(argv))` gives `argv` back. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map(quoteArgument).join(' ');
}

/**
 * Why `argv` cannot be edited one argument per line (that editor drops blank
 * lines and splits on newlines), or null when it can.
 */
export function perLineProblem(argv: readonly string[]): string | null {
  const index = argv.findIndex((arg, i) => i > 0 && (arg === '' || arg.includes('\n')));
  if (index === -1) return argv[0]?.includes('\n') ? 'The program spans lines: the one-per-line editor cannot hold it.' : null;
  const what = argv[index] === '' ? 'is empty' : 'spans lines';
  return `Argument ${index} ${what}: the one-per-line editor cannot hold it. Keep the Command line field for this command.`;
}
