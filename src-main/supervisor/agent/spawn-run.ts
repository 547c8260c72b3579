/**
 * The spawn of one run, write-ahead: its record (id, request, `spawning`) is
 * on disk before the process exists, and its pid + start time right after,
 * before anyone is told it runs (each an entry of the spawn journal, which
 * costs one agent's record, not the whole state file). A Corral killed at any
 * moment of a burst therefore finds every agent it started on its next start;
 * one cut short between the spawn and the second write is found by its marker
 * (recovery.ts).
 */
import { limitsFound, oomKillsOf } from '../process/cgroup/limits';
import { applyNiceness } from '../process/priority';
import { isDeadState, type ProcEntry } from '../process/process-table';
import type { ErrorKind } from '../types';
import { addNote, adoptRoot, toPersisted, type AgentRun } from './agent-record';
import { launch } from './launch';
import { noteLogStart } from './run-history';
import type { RunnerContext } from './runner-context';
import { sealRequestSecrets } from './secrets';

/** How a spawn went: refused by the OS (nothing runs), or started (`verified`: alive in the process table with its start time read). */
export type Spawned = { ok: false; kind: ErrorKind; message: string } | { ok: true; verified: boolean };

export interface SpawnHooks {
  /** The root's 'exit' event. */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  onError(error: Error): void;
}

/** Starts `run`'s process and records it on `run`: child, pid, start time, niceness, log tails. */
export async function spawnRun(ctx: RunnerContext, run: AgentRun, hooks: SpawnHooks): Promise<Spawned> {
  // Sealed before the first write, so the record on disk carries them (a restart reuses the sealed text).
  const sealProblem = await sealRequestSecrets(run.request.secretEnv, ctx.secretBox);
  if (sealProblem !== null) addNote(run, sealProblem);
  writeAhead(ctx, run);
  const launched = await launch(ctx.resolveRequest(run.request), run.paths, ctx.agentEnv(), ctx.containment);
  if (!launched.ok) return launched;

  const { child, pid } = launched;
  run.child = child;
  run.pid = pid;
  run.cgroup = launched.cgroup;
  run.limits = launched.limits;
  run.startedAtMs = Date.now();
  // Nothing printed yet (the UI says "never"); the stall clock starts at startedAtMs meanwhile (observe.ts).
  run.lastOutputAtMs = null;
  run.record!.pid = pid;
  noteLogStart(run.record!, run.logs, launched); // the Logs tab's marker line between runs
  if (run.request.niceness != null) {
    // As early as Node allows: children it forks from now on inherit it.
    for (const problem of applyNiceness([pid], run.request.niceness).problems) addNote(run, problem);
  }
  let exitRecorded!: () => void;
  run.exited = new Promise((resolve) => (exitRecorded = resolve));
  // 'exit', not 'close': a grandchild holding an inherited descriptor would delay 'close' forever.
  child.once('exit', (code, signal) => {
    hooks.onExit(code, signal);
    exitRecorded();
  });
  child.on('error', hooks.onError);
  const agentId = run.request.agentId;
  ctx.logTail.add(agentId, 'stdout', run.paths.stdout, launched.stdoutOffset);
  ctx.logTail.add(agentId, 'stderr', run.paths.stderr, launched.stderrOffset);

  // Verified alive: the pid exists, is not a zombie, and its start time becomes its identity.
  const entry = await ctx.reader.read(pid);
  if (entry) run.startTime = entry.startTime;
  writeAhead(ctx, run);
  return { ok: true, verified: run.endedAtMs === null && entry !== null && !isDeadState(entry.stateCode) };
}

/**
 * After Corral restarted, `root` (identity checked by recovery.ts) becomes the run's, and the run gets its cgroup back
 * when that still holds the root, so it stays contained (membership, the stop by cgroup.kill) under the limits it has.
 */
export function adoptFoundRoot(ctx: RunnerContext, run: AgentRun, root: ProcEntry): void {
  adoptRoot(run, root);
  run.cgroup = ctx.containment?.reattach(run.request.agentId, root.pid) ?? null;
  run.limits = run.cgroup ? limitsFound(run.cgroup) : null;
}

/** What the end of a run needs to know of the kernel's OOM killer (exit-classification.ts): kills counted during it, and its memory limit. */
export function oomEnd(run: AgentRun): { oomKills: number | null; memoryLimitMb: number | null } {
  const before = run.limits?.oomKillsAtStart ?? null;
  const now = run.cgroup ? oomKillsOf(run.cgroup) : null;
  const memoryLimitMb = run.limits?.memoryMb ?? null;
  return { oomKills: before === null || now === null ? null : Math.max(0, now - before), memoryLimitMb };
}

/** The run's record as state.json would hold it, on disk before this returns. */
function writeAhead(ctx: RunnerContext, run: AgentRun): void {
  ctx.saveAhead(run.request.agentId, toPersisted(run, ctx.secretBox));
}
