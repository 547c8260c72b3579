/**
 * The tail's own lifecycle around a rotation: a rotation under way is never
 * cut short into a leftover `.rotating` copy, whether the agent's tail
 * finishes (its tree is gone) or the whole tail closes (the host quits).
 * Real files; the tail is driven by its own timer.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogTail, type LogChange } from '../../../src-main/supervisor/logs/log-tail';
import type { LogEvent } from '../../../src-main/supervisor/types';
import { waitFor } from '../../helpers/wait';

const MiB = 1024 * 1024;
const dirs: string[] = [];
const tails: LogTail[] = [];

afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function liveFile(bytes: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corral-tail-'));
  dirs.push(dir);
  const file = path.join(dir, 'stdout.log');
  writeFileSync(file, Buffer.alloc(bytes, 'x'), { mode: 0o600 });
  return file;
}

function startTail(file: string, maxBytes: number, { isWanted = true } = {}) {
  const chunks: LogEvent[] = [];
  const changes: LogChange[] = [];
  const tail = new LogTail({
    intervalMs: 10,
    isWanted: () => isWanted,
    onChunk: (event) => chunks.push(event),
    rotation: { maxBytes, maxFiles: 2 },
    onChange: (_agentId, change) => changes.push(change),
  });
  tails.push(tail);
  tail.add('a', 'stdout', file, 0);
  return { tail, chunks, changes };
}

describe('LogTail and rotation', () => {
  it('finishing a tail while its rotation is under way completes the rotation: the file is cut, .1 holds it, no .rotating is left', async () => {
    const file = liveFile(2 * MiB);
    // Nobody listens, so a poll reads nothing: the first poll that finds nothing new is the tail's last.
    const { tail, chunks, changes } = startTail(file, 1 * MiB, { isWanted: false });
    tail.poll(); // starts the rotation's copy off the event loop
    tail.finish('a'); // the agent's tree is gone right then
    tail.poll(); // nothing new: this is where the tail would let go
    await waitFor(() => existsSync(`${file}.1`) && !existsSync(`${file}.rotating`), { what: 'the rotation to complete', timeoutMs: 5_000 });
    expect(statSync(`${file}.1`).size).toBe(2 * MiB);
    expect(statSync(file).size).toBe(0);
    expect(chunks).toEqual([]);
    expect(changes.filter((change) => change.note)).toEqual([]);
  });

  it('close() waits for a rotation under way and removes its partial copy: no .rotating outlives the tail', async () => {
    const file = liveFile(64 * MiB);
    const { tail } = startTail(file, 1 * MiB);
    tail.poll();
    // The copy is under way off the event loop when the host quits.
    await waitFor(() => existsSync(`${file}.rotating`), { what: 'the copy to start', intervalMs: 1 });
    await tail.close();
    expect(existsSync(`${file}.rotating`)).toBe(false);
    // Given up whole: the live file is as the agent left it.
    expect(statSync(file).size).toBe(64 * MiB);
    expect(existsSync(`${file}.1`)).toBe(false);
  });
});
