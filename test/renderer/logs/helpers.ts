import { AnsiParser, type Run } from '../../../src-renderer/logs/ansi';
import { ControlVisibility } from '../../../src-renderer/logs/visible';

export const ESC = '\x1b';

/** Parses the chunks in order with one parser; returns the runs and their joined text. */
export function parse(chunks: readonly string[], parser = new AnsiParser()): { runs: Run[]; text: string } {
  const runs: Run[] = [];
  for (const chunk of chunks) parser.push(chunk, runs);
  // Merge adjacent runs of one style, as a single push would have.
  const merged: Run[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.style === run.style) last.text += run.text;
    else merged.push({ ...run });
  }
  return { runs: merged, text: merged.map((r) => r.text).join('') };
}

/** Every split of `input` into two chunks. */
export function* splits(input: string): Generator<[string, string]> {
  for (let i = 0; i <= input.length; i++) yield [input.slice(0, i), input.slice(i)];
}

export function visible(text: string): string {
  return new ControlVisibility()
    .push([{ text, style: new AnsiParser().currentStyle }])
    .map((r) => r.text)
    .join('');
}

export const encode = (text: string) => new TextEncoder().encode(text);
export const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
