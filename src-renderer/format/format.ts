/**
 * How figures read everywhere in the UI. One place, so the list, the detail and
 * the header never disagree on units or on how a missing value looks.
 */

/** Shown for a value the engine could not read: never 0, which would be a lie. */
export const MISSING = '—';

/** One argv entry as shown: an empty one reads `''` (it is passed all the same, and would otherwise be invisible). */
export function formatArg(arg: string): string {
  return arg === '' ? "''" : arg;
}

/** Seconds as h:mm:ss (hours are not wrapped at 24: an agent may run for days). */
export function formatRuntime(totalSeconds: number | null | undefined): string {
  if (totalSeconds === null || totalSeconds === undefined || !Number.isFinite(totalSeconds) || totalSeconds < 0) return MISSING;
  const whole = Math.floor(totalSeconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** CPU on psutil's scale (100 = one core), so a tree may read over 100 %. */
export function formatCpu(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return MISSING;
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent).toString()} %`;
}

export function formatMemory(megabytes: number | null | undefined): string {
  if (megabytes === null || megabytes === undefined || !Number.isFinite(megabytes)) return MISSING;
  if (megabytes >= 1024) return `${(megabytes / 1024).toFixed(megabytes >= 10 * 1024 ? 0 : 1)} GB`;
  return `${megabytes < 10 ? megabytes.toFixed(1) : Math.round(megabytes).toString()} MB`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return String(value);
}

/**
 * An ISO timestamp in the user's locale: just the time when it is today (the
 * common case while watching), date and time otherwise; the raw text when it
 * does not parse.
 */
export function formatTimestamp(iso: string | null | undefined, now: Date = new Date()): string {
  if (iso === null || iso === undefined || iso === '') return MISSING;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const date = new Date(ms);
  return date.toDateString() === now.toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
}

/** A clock time for chart axes (HH:MM:SS, 24 h). */
export function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return MISSING;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Seconds left until `deadline`, for a countdown ("3.2 s"), never negative. */
export function formatCountdown(deadlineMs: number, nowMs: number): string {
  const left = Math.max(0, deadlineMs - nowMs) / 1000;
  return `${left.toFixed(1)} s`;
}

/** "1 agent" / "3 agents". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The exit code, or `unknown` when it cannot be known: the agent ended while
 * Corral was not its parent (`lost`, or an adopted run that ended). Corral
 * records exit codes only for processes it started in this run; a wrapper per
 * agent that would record it across a crash was judged too costly.
 */
export function formatExitCode(agent: { exitCode: number | null; signal: string | null; state: string; adopted: boolean; endedAt: string | null }): string {
  if (agent.exitCode !== null) return String(agent.exitCode);
  if (agent.signal === null && (agent.state === 'lost' || (agent.adopted && agent.endedAt !== null))) return 'unknown';
  return MISSING;
}

/** A duration in ms: "0.4 s", "12 s", then h:mm:ss like runtimes. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return formatRuntime(ms / 1000);
}

/** "restarting in 4 s" (whole seconds, rounded up so it never says 0 before the start), "restarting…" once due. */
export function formatRestartCountdown(nextRestartAt: number | null, nowMs: number): string {
  if (nextRestartAt === null) return 'restarting…';
  const seconds = Math.ceil((nextRestartAt - nowMs) / 1000);
  return seconds <= 0 ? 'restarting…' : `restarting in ${seconds} s`;
}
