/**
 * A micro-benchmark of the log view's append path (bytes → UTF-8 → ANSI →
 * visible → line store), pure TypeScript with no DOM, so it runs under Node:
 * `measureAppendThroughput(1_000_000)`. It measures the renderer's own code
 * but is not part of it: the product renderer never loads this file.
 *
 * The input mimics busy agent output: 80–120 character lines, every fourth one
 * coloured, arriving in 64 KiB chunks as the host's log events do.
 */
import type { LineStoreOptions } from '../../src-renderer/logs/line-store';
import { LogModel } from '../../src-renderer/logs/log-model';

export interface AppendThroughput {
  lines: number;
  bytes: number;
  seconds: number;
  linesPerSecond: number;
  megabytesPerSecond: number;
  /** Lines kept at the end (bounded by maxLines). */
  keptLines: number;
  /** Heap in use after the run (and a GC, when `--expose-gc` allows it); undefined outside Node. */
  heapUsedBytes?: number;
}

const CHUNK_BYTES = 64 * 1024;

function sampleLine(i: number): string {
  const body = `step ${i}: processed item ${(i * 7919) % 100_000} in ${(i % 97) + 3} ms; queue depth ${i % 13}`;
  const padded = body + ' lorem ipsum dolor sit amet'.slice(0, (i % 5) * 6);
  return i % 4 === 0 ? `\x1b[32mINFO\x1b[0m \x1b[1m${padded}\x1b[22m\n` : `INFO ${padded}\n`;
}

/** Builds the input as 64 KiB chunks of UTF-8 bytes. */
export function makeChunks(lines: number): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let pending = '';
  for (let i = 0; i < lines; i++) {
    pending += sampleLine(i);
    if (pending.length >= CHUNK_BYTES) {
      chunks.push(encoder.encode(pending));
      pending = '';
    }
  }
  if (pending.length > 0) chunks.push(encoder.encode(pending));
  return chunks;
}

function heapUsed(): number | undefined {
  const host = globalThis as { gc?: () => void; process?: { memoryUsage?: () => { heapUsed: number } } };
  host.gc?.();
  return host.process?.memoryUsage?.().heapUsed;
}

/** Appends `lines` lines of busy output to a fresh LogModel and times it. */
export function measureAppendThroughput(lines: number, options: LineStoreOptions = {}): AppendThroughput {
  const chunks = makeChunks(lines);
  const model = new LogModel(options);
  model.start('stdout', 0);
  let bytes = 0;
  const started = performance.now();
  for (const chunk of chunks) {
    model.append('stdout', chunk);
    bytes += chunk.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const heapUsedBytes = heapUsed();
  return {
    lines,
    bytes,
    seconds,
    linesPerSecond: Math.round(lines / seconds),
    megabytesPerSecond: Math.round(bytes / 1e6 / seconds),
    keptLines: model.store.count('stdout'),
    ...(heapUsedBytes === undefined ? {} : { heapUsedBytes }),
  };
}
