/**
 * Orders an agent's processes as a tree for the Processes table: each process
 * right under its parent (by ppid), with its depth for indentation. The
 * engine sends the root first; a process whose parent is not in the list (it
 * left the tree, or is the root) starts a new top level. Pure and cycle-safe
 * (a pid reused as its own ancestor cannot hang the walk).
 */
import type { ProcessView } from '../../src-preload/contract';

export interface OrderedProcess {
  process: ProcessView;
  depth: number;
}

export function orderProcessTree(processes: readonly ProcessView[]): OrderedProcess[] {
  const byPid = new Map<number, ProcessView>();
  for (const process of processes) byPid.set(process.pid, process);
  const children = new Map<number, ProcessView[]>();
  const tops: ProcessView[] = [];
  for (const process of processes) {
    if (process.ppid !== process.pid && byPid.has(process.ppid)) {
      let list = children.get(process.ppid);
      if (list === undefined) children.set(process.ppid, (list = []));
      list.push(process);
    } else {
      tops.push(process);
    }
  }
  const out: OrderedProcess[] = [];
  const seen = new Set<number>();
  const walk = (top: ProcessView) => {
    const stack: OrderedProcess[] = [{ process: top, depth: 0 }];
    while (stack.length > 0) {
      const entry = stack.pop()!;
      if (seen.has(entry.process.pid)) continue;
      seen.add(entry.process.pid);
      out.push(entry);
      const kids = children.get(entry.process.pid) ?? [];
      for (let i = kids.length - 1; i >= 0; i -= 1) stack.push({ process: kids[i]!, depth: entry.depth + 1 });
    }
  };
  for (const top of tops) walk(top);
  // Processes only reachable through a ppid cycle: show them at the top level rather than lose them.
  for (const process of processes) if (!seen.has(process.pid)) walk(process);
  return out;
}
