/**
 * Corral's own lines in an agent's log for a stop (issue 13): one as each
 * stage begins ("stop requested — SIGTERM sent to 4 processes (waiting up to
 * 10 s)") and one for how it ended ("stopped — all 4 processes gone in 1.2 s",
 * "stop left 1 survivor …"), so a user reading the log after a stop sees what
 * Corral did and when. They go through the one writer of Corral lines
 * (`appendCorralLine`: a whole line of its own, bounded), and hold nothing of
 * the agent's but pids and at most a few short process names.
 */
import type { StopReport, StopStage } from '../types';
import { appendCorralLine, type AgentPaths } from './launch';
import { fileSize, type RunnerContext } from './runner-context';

/** What a stage's line says besides the stage: how many it signals, how long each stage waits, who asked. */
export interface StageFacts {
  processCount: number;
  forced: boolean;
  /** Who asked for the stop; null when unknown (a stop resumed after Corral restarted). */
  by: 'user' | 'guard' | null;
  stageMs: Record<StopStage, number>;
}

/** Survivors named in the closing line; the rest are counted. */
const MAX_NAMED_SURVIVORS = 5;
/** A process name as the line shows it (a Linux comm is 15 bytes; elsewhere it may be a whole path). */
const MAX_NAME_CHARS = 40;

/** The line written as `stage` begins. */
export function stageLine(stage: StopStage, facts: StageFacts): string {
  const count = processes(facts.processCount);
  const who = facts.by === 'guard' ? ' by the resource guard' : '';
  const kill = process.platform === 'win32' ? `SIGKILL sent to ${count}` : `SIGKILL: freezing and killing ${count}`;
  switch (stage) {
    case 'term1':
      return `stop requested${who} — SIGTERM sent to ${count} (waiting up to ${duration(facts.stageMs.term1)})`;
    case 'term2':
      return `still running after ${duration(facts.stageMs.term1)} — SIGTERM again to ${count} (waiting up to ${duration(facts.stageMs.term2)})`;
    case 'kill':
      return facts.forced ? `forced stop requested${who} — ${kill}` : `still running after ${duration(facts.stageMs.term2)} — ${kill}`;
  }
}

/** The line written when the stop is over; null when it found nothing to stop (no stage began, so nothing to close). */
export function endLine(report: StopReport): string | null {
  if (report.outcome === 'already-ended') return null;
  const children = report.children?.length ?? 0;
  const first = children === 0 ? '' : `; ${children} sub-agent${children === 1 ? '' : 's'} stopped first`;
  if (report.outcome === 'stopped') {
    const gone = report.processCount === 1 ? 'its only process' : `all ${processes(report.processCount)}`;
    return `stopped — ${gone} gone in ${duration(report.durationMs)}${endedBy(report.endedByStage)}${first}`;
  }
  const named = report.survivors.slice(0, MAX_NAMED_SURVIVORS).map((survivor) => `pid ${survivor.pid} (${shortName(survivor.name)})`);
  const more = report.survivors.length - named.length;
  const survivors = `${report.survivors.length} survivor${report.survivors.length === 1 ? '' : 's'}`;
  return `stop left ${survivors} after SIGKILL: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''} — still tracked${first}`;
}

/**
 * The writer a runner hands one stop: each line to the agent's stderr log. The closing line of a stop
 * that left nothing may come after the root's exit let the tail go of the file (`LogTail.finish`): then
 * the tail takes the file up again from where the line begins, reads it, and lets go again, so the
 * closing line is shown live too. Nothing but Corral writes there once the tree is gone, so the tail
 * had read up to that point: nothing is read twice and the seen-marks stay in order.
 */
export function stopLineWriter(ctx: Pick<RunnerContext, 'logTail' | 'isClosed'>, agentId: string, paths: AgentPaths): (text: string, treeGone: boolean) => void {
  return (text, treeGone) => {
    const lineBegins = fileSize(paths.stderr);
    appendCorralLine(paths, text);
    if (!treeGone || ctx.isClosed() || ctx.logTail.has(agentId, 'stderr')) return;
    ctx.logTail.add(agentId, 'stderr', paths.stderr, lineBegins);
    ctx.logTail.finish(agentId); // nothing of the tree is left to write: stop after what is there
  };
}

/** "(3 at the first SIGTERM, 1 at SIGKILL)": which stage ended how many; empty when one stage ended all. */
function endedBy(counts: Record<StopStage, number>): string {
  const parts = [
    counts.term1 > 0 ? `${counts.term1} at the first SIGTERM` : null,
    counts.term2 > 0 ? `${counts.term2} at the second SIGTERM` : null,
    counts.kill > 0 ? `${counts.kill} at SIGKILL` : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 1 ? ` (${parts.join(', ')})` : parts.length === 1 ? ` (${parts[0]!.replace(/^\d+ /, '')})` : '';
}

function processes(count: number): string {
  return `${count} process${count === 1 ? '' : 'es'}`;
}

/** "350 ms", "1.2 s", "10 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

/** A process name shown in a line: printable, and short. */
function shortName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is dropped
  const printable = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > MAX_NAME_CHARS ? `${printable.slice(0, MAX_NAME_CHARS)}…` : printable;
}
