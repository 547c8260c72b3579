/**
 * The `depends_on` graph: its first cycle (to refuse the file, naming it) and
 * its waves (what may start together: every agent one wave after the last of
 * its dependencies).
 */

/** Agent name → the names it depends on. Iterated in insertion (file) order, so results are stable. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/** The first cycle met walking the file in order, as names with the first repeated at the end (`[a, b, a]`); null when there is none. */
export function findCycle(graph: DependencyGraph): string[] | null {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (name: string): string[] | null => {
    const at = onPath.indexOf(name);
    if (at >= 0) return [...onPath.slice(at), name];
    if (done.has(name)) return null;
    onPath.push(name);
    for (const dependency of graph.get(name) ?? []) {
      const cycle = visit(dependency);
      if (cycle !== null) return cycle;
    }
    onPath.pop();
    done.add(name);
    return null;
  };
  for (const name of graph.keys()) {
    const cycle = visit(name);
    if (cycle !== null) return cycle;
  }
  return null;
}

/** Names grouped in waves: wave 0 depends on nothing, wave n on agents of earlier waves only. Each wave keeps file order. The graph must have no cycle. */
export function waves(graph: DependencyGraph): string[][] {
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const dependencies = graph.get(name) ?? [];
    const own = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(depthOf));
    depth.set(name, own);
    return own;
  };
  const result: string[][] = [];
  for (const name of graph.keys()) (result[depthOf(name)] ??= []).push(name);
  return result.filter((wave) => wave !== undefined);
}
