/**
 * The trees of agents with no cgroup (containment `process-group`: forced, or no cgroup v2 to put them
 * in), read by following them: each tick reads their root and the members seen before (by identity,
 * so a recycled pid is left out), the zombies of their last sample, and the children of every thread
 * of each, recursively — never the machine's whole process table. What a tick reads grows with the
 * agents' processes, not with everything else running.
 *
 * Everything reachable from those by the parent chain is found exactly as `collectTree` finds it in a
 * full snapshot. Found only by the periodic full check (every FOLLOW_CHECK_MS, and whenever such an
 * agent's run has no sample yet): a process in the agent's session or process group that left the
 * parent chain before a tick saw it (a daemon's double fork, reparented to init or a subreaper), and
 * a child forked by a thread that started since the member's threads were last listed while another
 * ended (its thread count unchanged: thread-children.ts). Once found, it is a member seen before and
 * followed like the rest.
 */
import { buildTable, type ProcEntry, type ProcessIdentity, type ProcessReader, type ProcessTable, type TreeAnchor, type TreeSeeds } from './process-table';

/**
 * How often a tick with agents that have no cgroup takes a full snapshot anyway. Until then a process
 * that escaped the parent chain is missing from its agent's figures (not from a stop, which takes
 * snapshots of its own): ten seconds bounds that lag, as MEMBER_REREAD_MS bounds a quiet cgroup's,
 * while the scan, in a worker, costs the main thread only its parse (a few ms at 2,000 processes)
 * once per ten ticks rather than every tick.
 */
export const FOLLOW_CHECK_MS = 10_000;

/** Where `readTrees` starts the tree of an agent with no cgroup. */
export function followSeeds(anchor: TreeAnchor, zombies: readonly ProcessIdentity[]): TreeSeeds {
  return { pids: [], identities: [...(anchor.root ? [anchor.root] : []), ...anchor.knownMembers, ...zombies], everyThread: true };
}

type ReadTrees = NonNullable<ProcessReader['readTrees']>;

/**
 * Runs `readContained` (the cgroup agents' read, given a reader) with the followed trees' seeds added to
 * its one `readTrees` call — the reader keeps the files of the trees in its latest call only, so one
 * call holds both kinds open from tick to tick — and returns its result with the followed trees, in
 * one table of every process read (built anew only when there are followed trees to add).
 */
export async function readWithFollowed<T extends { table: ProcessTable; members: ProcEntry[][] }>(
  readTrees: ReadTrees,
  followed: readonly TreeSeeds[],
  readContained: (reader: { readTrees: ReadTrees }) => Promise<T>,
): Promise<T & { followed: ProcEntry[][] }> {
  // Every agent in a cgroup (the usual tick on Linux): its table already holds every process read.
  if (followed.length === 0) return { ...(await readContained({ readTrees })), followed: [] };
  let trees: ProcEntry[][] = [];
  const read = await readContained({
    readTrees: async (seeds) => {
      const all = await readTrees([...seeds, ...followed]);
      trees = all.slice(seeds.length);
      return all.slice(0, seeds.length);
    },
  });
  return { ...read, followed: trees, table: buildTable([...read.members.flat(), ...trees.flat()], read.table.takenAtMs) };
}
