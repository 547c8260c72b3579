/**
 * How the command prints: aligned columns for people, states coloured only
 * on a terminal (and never with NO_COLOR), and JSON for programs.
 */
import type { AgentState } from '../../src-preload/contract';

const COLOURS: Partial<Record<AgentState, number>> = {
  running: 32,
  spawning: 36,
  stopping: 33,
  backoff: 33,
  completed: 34,
  failed: 31,
  'crash-looping': 31,
  lost: 35,
};

export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** A state, coloured when printing to a terminal. */
export function paintState(state: AgentState, colour: boolean): string {
  const code = COLOURS[state];
  return colour && code !== undefined ? `\u001b[${code}m${state}\u001b[0m` : state;
}

// eslint-disable-next-line no-control-regex -- matching the escape codes this module writes
const ANSI = /\u001b\[[0-9;]*m/g;

/** Rows of cells as aligned columns (widths ignore colour codes); the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').replace(ANSI, '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - cell.replace(ANSI, '').length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** 0:42, 3:07:12, 2d 4h: short enough for a column. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
