import { performance } from 'node:perf_hooks';
import type { MarkerMemo, ProcessReader, ProcessTable } from './process-table';

/**
 * Shares process-table snapshots between callers that ask at about the same
 * time (100 agents stopped at once take one snapshot, not 100), while never
 * handing a caller a snapshot taken before it asked.
 */
export class SnapshotCache {
  private latest: { startedAt: number; table: Promise<ProcessTable> } | null = null;
  /** A snapshot asked for in this turn of the event loop, not started yet: whoever asks meanwhile shares it. */
  private pending: { hints: Set<number>; table: Promise<ProcessTable> } | null = null;
  /** Per table: its markers, and every conclusive read behind them (where a stop's memo starts). */
  private readonly markers = new WeakMap<ProcessTable, Promise<{ markers: Map<number, string>; memo: MarkerMemo }>>();

  constructor(
    private readonly reader: ProcessReader,
    /** Markers count only for agents of this data dir. */
    private readonly dataDir: string,
  ) {}

  /**
   * A snapshot started after `requestedAt` (a `performance.now()` reading). A new one starts on the
   * next turn of the event loop, so concurrent stops re-scanning at once (each freeze scans several
   * times) take one snapshot between them; once started, the Linux reader's (read in a worker thread)
   * may already have passed a process a later caller asks about, so it is not shared with them.
   */
  table(requestedAt: number, hintPids: readonly number[] = []): Promise<ProcessTable> {
    if (this.latest && this.latest.startedAt > requestedAt) return this.latest.table;
    if (this.pending) {
      for (const pid of hintPids) this.pending.hints.add(pid);
      return this.pending.table;
    }
    const hints = new Set(hintPids);
    const table = new Promise<ProcessTable>((resolve, reject) => {
      setImmediate(() => {
        this.pending = null;
        const startedAt = performance.now();
        const taken = this.reader.snapshot([...hints]);
        this.latest = { startedAt, table: taken };
        taken.catch(() => {
          if (this.latest?.table === taken) this.latest = null;
        });
        taken.then(resolve, reject);
      });
    });
    this.pending = { hints, table };
    return table;
  }

  /**
   * pid → CORRAL_AGENT_ID for every process in `table` that carries it and belongs to our data dir,
   * shared by every caller. With a stop's `memo`, only processes the memo does not know are read.
   */
  async agentMarkers(table: ProcessTable, memo?: MarkerMemo): Promise<Map<number, string>> {
    if (memo) return this.reader.agentMarkers(table, new Set([process.pid]), this.dataDir, memo);
    return (await this.shared(table)).markers;
  }

  /**
   * Every conclusive marker read behind `table`'s markers, as a memo a stop can carry on with, so its
   * re-scans read only newer processes. Stops that scanned the same table share it (and what each
   * adds): what an identity's environment says is the same whoever reads it.
   */
  async markerMemo(table: ProcessTable): Promise<MarkerMemo> {
    return (await this.shared(table)).memo;
  }

  private shared(table: ProcessTable): Promise<{ markers: Map<number, string>; memo: MarkerMemo }> {
    let shared = this.markers.get(table);
    if (!shared) {
      const memo: MarkerMemo = new Map();
      shared = this.reader.agentMarkers(table, new Set([process.pid]), this.dataDir, memo).then((markers) => ({ markers, memo }));
      this.markers.set(table, shared);
    }
    return shared;
  }
}
