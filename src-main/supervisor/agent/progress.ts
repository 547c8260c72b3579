import { readFileSync, statSync } from 'node:fs';
import { errnoOf, messageOf } from '../errors';

/** What an agent last wrote to its CORRAL_STATUS_FILE. */
export interface Progress {
  progress: number | null;
  message: string | null;
  /** Set when the file exists but could not be used; the caller shows it once. */
  problem: string | null;
}

/**
 * Reads the agent's progress file when it changed since `previous`.
 * `{"progress": 0-100, "message": "..."}`; anything else is ignored with a
 * note, never thrown.
 */
export class ProgressReader {
  private lastStamp = '';
  private last: Progress = { progress: null, message: null, problem: null };

  constructor(private readonly path: string) {}

  read(): Progress {
    let stamp: string;
    try {
      const stat = statSync(this.path);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') this.last = { ...this.last, problem: `Progress file unreadable: ${messageOf(error)}` };
      return this.last;
    }
    if (stamp === this.lastStamp) return this.last;
    this.lastStamp = stamp;
    this.last = parseProgress(this.path, this.last);
    return this.last;
  }
}

function parseProgress(path: string, previous: Progress): Progress {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { ...previous, problem: `Progress file ignored: not valid JSON (${messageOf(error)})` };
  }
  if (typeof json !== 'object' || json === null) return { ...previous, problem: 'Progress file ignored: expected a JSON object' };
  const { progress, message } = json as { progress?: unknown; message?: unknown };
  const value = typeof progress === 'number' && Number.isFinite(progress) ? Math.min(100, Math.max(0, progress)) : null;
  const text = typeof message === 'string' ? message.slice(0, 500) : null;
  if (value === null && progress !== undefined) {
    return { progress: previous.progress, message: text ?? previous.message, problem: 'Progress file ignored: "progress" must be a number 0–100' };
  }
  return { progress: value, message: text, problem: null };
}
