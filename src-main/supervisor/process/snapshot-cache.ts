import { performance } from 'node:perf_hooks';
import type { ProcessReader, ProcessTable } from './process-table';

/**
 * Shares process-table snapshots between callers that ask at about the same
 * time (100 agents stopped at once take one snapshot, not 100), while never
 * handing a caller a snapshot taken before it asked.
 */
export class SnapshotCache {
  private latest: { startedAt: number; table: Promise<ProcessTable> } | null = null;
  private readonly markers = new WeakMap<ProcessTable, Promise<Map<number, string>>>();

  constructor(
    private readonly reader: ProcessReader,
    /** Markers count only for agents of this data dir. */
    private readonly dataDir: string,
  ) {}

  /** A snapshot started after `requestedAt` (a `performance.now()` reading). */
  table(requestedAt: number, hintPids?: readonly number[]): Promise<ProcessTable> {
    if (this.latest && this.latest.startedAt > requestedAt) return this.latest.table;
    const startedAt = performance.now();
    const table = this.reader.snapshot(hintPids);
    this.latest = { startedAt, table };
    table.catch(() => {
      if (this.latest?.table === table) this.latest = null;
    });
    return table;
  }

  /** pid → CORRAL_AGENT_ID for every process in `table` that carries it and belongs to our data dir. */
  agentMarkers(table: ProcessTable): Promise<Map<number, string>> {
    let markers = this.markers.get(table);
    if (!markers) {
      markers = this.reader.agentMarkers(table, new Set([process.pid]), this.dataDir);
      this.markers.set(table, markers);
    }
    return markers;
  }
}
