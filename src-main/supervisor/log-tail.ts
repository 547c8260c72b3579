/**
 * Tails agents' log files and hands new bytes to the supervisor in bounded
 * chunks. The agent writes straight to the file (DESIGN.md decision 5); this
 * only reads, so a slow reader can never block an agent.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { messageOf } from './errors';
import type { LogEvent } from './types';

export interface LogTailOptions {
  intervalMs?: number;
  /** Largest `data` in one event. */
  maxChunkBytes?: number;
  /** Most bytes read from one file per poll; the rest waits for the next poll, keeping memory bounded. */
  maxBytesPerPoll?: number;
  /** When nobody listens, files are not read: their offsets just follow the end. */
  isWanted: () => boolean;
  onChunk: (event: LogEvent) => void;
  onError: (agentId: string, message: string) => void;
}

interface TailedFile {
  agentId: string;
  stream: LogEvent['stream'];
  path: string;
  fd: number | null;
  offset: number;
  /** Stop after the next poll that finds nothing new. */
  finishing: boolean;
}

export class LogTail {
  private readonly files = new Map<string, TailedFile>();
  private timer: NodeJS.Timeout | null = null;
  private readonly buffer: Buffer;

  constructor(private readonly options: LogTailOptions) {
    this.buffer = Buffer.allocUnsafe(options.maxChunkBytes ?? 64 * 1024);
  }

  /** Starts tailing `path` from `offset` (the file's size before this run wrote to it). */
  add(agentId: string, stream: LogEvent['stream'], path: string, offset: number): void {
    this.remove(agentId, stream);
    this.files.set(`${agentId}\0${stream}`, { agentId, stream, path, fd: null, offset, finishing: false });
    this.ensureTimer();
  }

  /** Reads what is left of the agent's files, then stops tailing them. */
  finish(agentId: string): void {
    for (const file of this.files.values()) if (file.agentId === agentId) file.finishing = true;
  }

  remove(agentId: string, stream?: LogEvent['stream']): void {
    for (const [key, file] of this.files) {
      if (file.agentId !== agentId || (stream && file.stream !== stream)) continue;
      if (file.fd !== null) closeSync(file.fd);
      this.files.delete(key);
    }
  }

  /** One pass over every tailed file. */
  poll(): void {
    const limit = this.options.maxBytesPerPoll ?? 1024 * 1024;
    const wanted = this.options.isWanted();
    for (const [key, file] of this.files) {
      let readNow = 0;
      try {
        file.fd ??= openSync(file.path, 'r');
        const size = fstatSync(file.fd).size;
        if (size < file.offset) file.offset = 0; // truncated or replaced: start over
        if (!wanted) file.offset = size;
        while (file.offset < size && readNow < limit) {
          const want = Math.min(this.buffer.length, size - file.offset, limit - readNow);
          const got = readSync(file.fd, this.buffer, 0, want, file.offset);
          if (got <= 0) break;
          // Copy out: the shared buffer is reused on the next read.
          this.options.onChunk({ agentId: file.agentId, stream: file.stream, offset: file.offset, data: Buffer.from(this.buffer.subarray(0, got)) });
          file.offset += got;
          readNow += got;
        }
      } catch (error) {
        this.options.onError(file.agentId, `Could not read ${file.stream} log: ${messageOf(error)}`);
        file.finishing = true;
      }
      if (file.finishing && readNow === 0) {
        if (file.fd !== null) closeSync(file.fd);
        this.files.delete(key);
      }
    }
    if (this.files.size === 0) this.stopTimer();
  }

  close(): void {
    this.stopTimer();
    for (const file of this.files.values()) if (file.fd !== null) closeSync(file.fd);
    this.files.clear();
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.options.intervalMs ?? 100);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
