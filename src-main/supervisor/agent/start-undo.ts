/**
 * What a user's request that the OS refuses must leave as it was. A run's
 * record is put on disk before its process exists (spawn-run.ts), so a refused
 * spawn has already replaced the agent's run; this is what the runner goes back
 * to when no process came of it: the previous run (a new agent id has none:
 * the engine forgets the runner), the run history without the new entry, a
 * restart that was due, and no agent folder the refused spawn made.
 *
 * Only a request (a new agent, Run again) is undone this way. A restart (by
 * policy, by a guard, by the user's Restart) is not a new request: its failure
 * is recorded on the agent as a spawn-failed run.
 */
import { existsSync, rmSync } from 'node:fs';
import type { RunRecord } from '../types';
import type { AgentRun } from './agent-record';

export class StartUndo {
  /** Set once the start was refused and undone. */
  refused = false;
  private readonly runs: RunRecord[];
  private readonly restartAt: number | null;
  private readonly dirExisted: boolean;

  /** `fresh`: the agent id was unknown before this request (nothing to go back to). */
  constructor(
    private readonly previous: AgentRun,
    readonly fresh: boolean,
  ) {
    this.runs = [...previous.runs];
    this.restartAt = previous.nextRestartAt;
    this.dirExisted = existsSync(previous.paths.dir);
  }

  /** The run to go back to, with its history and restart time as they were; `refusedRun` is left ended, for a stop that waited on it. */
  restore(refusedRun: AgentRun): AgentRun {
    this.refused = true;
    refusedRun.state = 'failed';
    // One history array is shared by every run of an id: beginRun pushed (and may have trimmed) it.
    this.previous.runs.splice(0, this.previous.runs.length, ...this.runs);
    this.previous.nextRestartAt = this.restartAt;
    return this.fresh ? refusedRun : this.previous;
  }

  /** A new agent's folder, when the refused spawn made it (opening the logs precedes a spawn the OS may still refuse). */
  removeFreshFolder(): void {
    if (this.dirExisted) return;
    try {
      rmSync(this.previous.paths.dir, { recursive: true, force: true });
    } catch {
      // Empty log files left in a folder no record points to: a later start of the id reuses them.
    }
  }
}
