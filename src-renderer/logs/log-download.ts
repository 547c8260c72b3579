/**
 * "Download log": the whole log of one stream (or both, merged line by line
 * by when each line was seen), from the oldest retained rotated file to the
 * live one, saved as a file.
 *
 * Why the page assembles it from readLog pages rather than an HTTP route: it
 * works the same in both hosts (the desktop has no HTTP server; the web
 * host's routes would need a second auth path for a file URL), it reads only
 * through the contract's readLog (which already spans the rotated files by
 * logical offset, log-slice.ts), and the save is the browser's own (a save
 * dialog in Electron). The cost is memory: the bytes are held once in the
 * page (and once more in the Blob while it is built), so each stream is
 * capped at MAX_DOWNLOAD_BYTES, 128 MiB: the newest bytes are kept and the
 * file's first line says how many were left out. The default retention
 * (256 MiB live + 3 rotated files per stream) can hold more than that; the
 * files themselves are in the agent's folder (Open log folder).
 */
import { LOG_READ_MAX_BYTES, type CorralApi, type SeenMarkView } from '../../src-preload/contract';
import { decodeBase64 } from './base64';
import type { LogStream, StreamMode } from './line-store';
import { seenAtOf } from './log-model';

/** Most bytes of one stream a download holds (the newest are kept). */
export const MAX_DOWNLOAD_BYTES = 128 * 1024 * 1024;

export interface WholeStream {
  /** Logical offset of the first byte (0 unless older bytes were rotated away or left out). */
  offset: number;
  bytes: Uint8Array;
  seen: SeenMarkView[];
  /** Bytes before `offset` that exist in no retained file or were over the cap. */
  missing: number;
}

/** Pages `stream` back from its end to its oldest retained byte (at most `cap` bytes). */
export async function readWholeStream(api: Pick<CorralApi, 'readLog'>, agentId: string, stream: LogStream, cap = MAX_DOWNLOAD_BYTES): Promise<WholeStream> {
  const pages: Uint8Array[] = [];
  const marks: SeenMarkView[][] = [];
  let total = 0;
  let before: number | undefined;
  let offset = 0;
  for (;;) {
    const want = Math.min(LOG_READ_MAX_BYTES, cap - total);
    if (want <= 0) break;
    const result = await api.readLog({ agentId, stream, maxBytes: want, ...(before === undefined ? {} : { before }) });
    if (!result.ok) throw new Error(`Could not read ${stream}: ${result.error.message}`);
    const bytes = decodeBase64(result.value.data);
    offset = result.value.offset;
    if (bytes.length === 0) break;
    pages.unshift(bytes);
    marks.unshift(result.value.seen);
    total += bytes.length;
    if (offset === 0) break;
    before = offset;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const page of pages) {
    bytes.set(page, at);
    at += page.length;
  }
  // Each page's marks start at or before its start: keep them in offset order, each offset once.
  const seen: SeenMarkView[] = [];
  for (const mark of marks.flat()) {
    const last = seen[seen.length - 1];
    if (last === undefined || mark.offset > last.offset) seen.push(mark);
  }
  return { offset, bytes, seen, missing: offset };
}

interface TimedLine {
  bytes: Uint8Array;
  at: number;
}

function linesOf(whole: WholeStream): TimedLine[] {
  const at = seenAtOf(whole.seen);
  const lines: TimedLine[] = [];
  let start = 0;
  while (start < whole.bytes.length) {
    const nl = whole.bytes.indexOf(0x0a, start);
    const end = nl === -1 ? whole.bytes.length : nl + 1;
    lines.push({ bytes: whole.bytes.subarray(start, end), at: at(whole.offset + start) ?? Number.NEGATIVE_INFINITY });
    start = end;
  }
  return lines;
}

const NEWLINE = new Uint8Array([0x0a]);
const encoder = new TextEncoder();

/** The parts of the file: one stream as it is, or both merged line by line by seen time (stdout first on a tie). */
export function downloadParts(streams: Partial<Record<LogStream, WholeStream>>): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const [name, whole] of Object.entries(streams)) {
    if (whole !== undefined && whole.missing > 0) parts.push(encoder.encode(`[corral] ${name}: the first ${whole.missing} bytes are not included (rotated away or over the download's size cap)\n`));
  }
  const out = streams.stdout;
  const err = streams.stderr;
  if (out === undefined || err === undefined) {
    const only = out ?? err;
    if (only !== undefined) parts.push(only.bytes);
    return parts;
  }
  const a = linesOf(out);
  const b = linesOf(err);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const line = j >= b.length || (i < a.length && a[i]!.at <= b[j]!.at) ? a[i++]! : b[j++]!;
    parts.push(line.bytes);
    // A last line without its newline still ends before the other stream's next line.
    if (line.bytes[line.bytes.length - 1] !== 0x0a && (i < a.length || j < b.length)) parts.push(NEWLINE);
  }
  return parts;
}

/** Reads the log of `mode` and hands it to the browser as a file download. */
export async function downloadLog(api: Pick<CorralApi, 'readLog'>, agentId: string, mode: StreamMode): Promise<void> {
  const wanted: LogStream[] = mode === 'both' ? ['stdout', 'stderr'] : [mode];
  const streams: Partial<Record<LogStream, WholeStream>> = {};
  for (const stream of wanted) streams[stream] = await readWholeStream(api, agentId, stream);
  const blob = new Blob(downloadParts(streams) as BlobPart[], { type: 'text/plain' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = mode === 'both' ? `${agentId}.log` : `${agentId}-${mode}.log`;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started reading it by now; a minute is generous before the bytes are let go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
