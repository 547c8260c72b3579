/**
 * Waiting for a dependency's condition: `started` (its spawn succeeded, or it
 * was already up), `completed` (it ended with exit code 0), `log` (a line of
 * its stdout or stderr matches the pattern). A dependency that can no longer
 * meet its condition (it failed, was stopped, ended without the line) ends
 * the wait with a reason, as does the deadline.
 */
import type { AgentState, LogStream } from '../../../src-preload/contract';
import type { DependencyCondition } from './schema';
import type { AgentSnapshot, ApplyTarget } from './target';

/** Ended for good: no restart is coming (`backoff` is not here: it runs again). */
const ENDED: ReadonlySet<AgentState> = new Set<AgentState>(['completed', 'failed', 'crash-looping', 'cancelled', 'lost']);

/** The text of a condition, for messages: `started`, `completed`, `log /ready/`. */
export function describeCondition(condition: DependencyCondition): string {
  return typeof condition === 'string' ? condition : `log /${condition.log}/`;
}

/** A wait that can be cancelled (the apply failed elsewhere) and settles once. */
export interface ConditionWait {
  /** Resolves null when the condition holds, or the reason it never will. */
  readonly result: Promise<string | null>;
  /**
   * Starts watching the agent's state, so that its end settles the wait. A wait made before a spawn
   * (`from: 'end'`) calls it once the spawn has succeeded: before, the state is the previous run's
   * (stopped, failed), whose end must not count. Other waits watch from the start. Idempotent.
   */
  watchEnd(): void;
  cancel(reason: string): void;
}

/** Longest unfinished line kept while waiting for its end (its start is dropped past this). */
const MAX_PARTIAL_LINE = 64 * 1024;

/**
 * How long an unfinished line must stay unfinished before it is tested: a prompt such as `Ready> ` never
 * gets its newline, but a line split across two chunks would match `^tick 1$` on its first half.
 */
const PARTIAL_LINE_QUIET_MS = 250;

/** Lines of one stream, fed in chunks: calls `test` on each complete line, and on the unfinished one once the output goes quiet. */
export class LineSplitter {
  private partial = '';
  private quiet: NodeJS.Timeout | null = null;

  constructor(private readonly test: (line: string) => void) {}

  push(text: string): void {
    this.close();
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!.slice(-MAX_PARTIAL_LINE);
    for (const line of lines) this.test(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (this.partial !== '') this.quiet = setTimeout(() => this.test(this.partial), PARTIAL_LINE_QUIET_MS);
  }

  close(): void {
    if (this.quiet !== null) clearTimeout(this.quiet);
    this.quiet = null;
  }
}

/**
 * Starts waiting for `condition` on `agentId`. For `log`, call this before the
 * agent is spawned with `from: 'end'` (only its new run's output counts; call
 * `watchEnd` after the spawn), or with `from: 'start'` for an agent left
 * running (its logs so far count too). `completed` is waited for after the spawn.
 */
export async function waitForCondition(
  target: ApplyTarget,
  agentId: string,
  condition: Exclude<DependencyCondition, 'started'>,
  from: 'start' | 'end',
  timeoutMs: number,
): Promise<ConditionWait> {
  let settle!: (reason: string | null) => void;
  const result = new Promise<string | null>((resolve) => (settle = resolve));
  const stops: (() => void)[] = [];
  let settled = false;
  const finish = (reason: string | null) => {
    if (settled) return;
    settled = true;
    for (const stop of stops) stop();
    settle(reason);
  };
  const timer = setTimeout(() => finish(`${agentId} did not meet "${describeCondition(condition)}" within ${duration(timeoutMs)}`), timeoutMs);
  stops.push(() => clearTimeout(timer));

  if (typeof condition === 'object') {
    const pattern = new RegExp(condition.log); // checked at load
    const splitters = new Map<LogStream, LineSplitter>();
    const stopFollowing = await target.followLog(agentId, from, (stream, text) => {
      if (settled) return;
      let splitter = splitters.get(stream);
      if (splitter === undefined) splitters.set(stream, (splitter = new LineSplitter((line) => pattern.test(line) && finish(null))));
      splitter.push(text);
    });
    const closeSplitters = () => splitters.forEach((splitter) => splitter.close());
    if (settled) {
      stopFollowing();
      closeSplitters();
    } else {
      stops.push(stopFollowing, closeSplitters);
    }
  }
  // An end for good settles both kinds: `completed` met or failed; a `log` still waiting fails, after a
  // grace period, because the end can be seen before the last output has been tailed and delivered.
  let ending = false;
  const onSnapshot = (agent: AgentSnapshot) => {
    if (!ENDED.has(agent.state) || settled || ending) return;
    if (condition === 'completed') {
      finish(agent.state === 'completed' ? null : endedMessage(agent));
      return;
    }
    ending = true;
    const grace = setTimeout(() => finish(`${agentId} ended (${agent.state}) without printing a line matching /${condition.log}/`), LAST_OUTPUT_GRACE_MS);
    stops.push(() => clearTimeout(grace));
  };
  let watching = false;
  const watchEnd = () => {
    if (watching || settled) return;
    watching = true;
    const unwatch = target.watch(agentId, onSnapshot);
    if (settled) unwatch();
    else stops.push(unwatch);
  };
  if (from === 'start' || condition === 'completed') watchEnd();
  return { result, watchEnd, cancel: (reason) => finish(reason) };
}

/** How long an ended agent's last output may take to arrive before a `log` wait gives up (log tailing polls every ~100 ms). */
const LAST_OUTPUT_GRACE_MS = 1000;

function duration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function endedMessage(agent: AgentSnapshot): string {
  const code = agent.exitCode === null ? '' : ` with exit code ${agent.exitCode}`;
  return `${agent.agentId} ended ${agent.state}${code} instead of completing`;
}
