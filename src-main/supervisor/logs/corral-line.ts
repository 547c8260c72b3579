/**
 * Corral's own lines in an agent's log ("Restarting in …", a spawn failure):
 * always a whole line of their own. The agent may have left a partial line
 * (no newline yet), so the line starts on a new one; and it is kept short
 * enough that the log view never folds it (its fold is at 10 000 characters)
 * and on one line (a message quoting the agent's argv may hold newlines).
 */
import { closeSync, readSync, writeSync } from 'node:fs';
import { openChecked } from './safe-file';

/** Longest text of a Corral line, its prefix aside: well under the view's fold. */
export const MAX_CORRAL_LINE_CHARS = 4_000;

/** `[corral <time>] <text>`: one line, newline-free, bounded, ending in "\n". */
export function formatCorralLine(text: string, now: Date = new Date()): string {
  const flat = text.replace(/\r\n|[\r\n]/g, ' ⏎ ');
  const cut = flat.length > MAX_CORRAL_LINE_CHARS ? `${flat.slice(0, MAX_CORRAL_LINE_CHARS)} … (${flat.length - MAX_CORRAL_LINE_CHARS} more characters)` : flat;
  return `[corral ${now.toISOString()}] ${cut}\n`;
}

/** Whether `file` ends mid-line (its last byte is not a newline). Unreadable counts as not: the line is written anyway. */
export function endsMidLine(file: string): boolean {
  let fd: number;
  let size: number;
  try {
    const opened = openChecked(file, 'read');
    fd = opened.fd;
    size = opened.stats.size;
  } catch {
    return false;
  }
  try {
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Appends `text` as a Corral line to `fd` (opened for append on `file`), on a new line when the agent left one open. */
export function writeCorralLine(fd: number, file: string, text: string): void {
  writeSync(fd, `${endsMidLine(file) ? '\n' : ''}${formatCorralLine(text)}`);
}
