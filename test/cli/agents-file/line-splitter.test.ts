/**
 * How a `log` condition reads output that arrives in arbitrary chunks: whole
 * lines are tested as they end; an unfinished line only once the output has
 * gone quiet (a prompt never gets its newline, but half a line must not match
 * an anchored pattern).
 */
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src-main/cli/agents-file/conditions';
import { waitFor } from '../../helpers/wait';

function splitter(): { lines: string[]; split: LineSplitter } {
  const lines: string[] = [];
  return { lines, split: new LineSplitter((line) => lines.push(line)) };
}

describe('LineSplitter', () => {
  it('tests each whole line once, across chunks, without its CR LF', () => {
    const { lines, split } = splitter();
    split.push('tick 1');
    split.push('2\r\ntick 13\nti');
    split.push('ck 14\n');
    split.close();
    expect(lines).toEqual(['tick 12', 'tick 13', 'tick 14']);
    expect(lines.some((line) => /^tick 1$/.test(line))).toBe(false);
  });

  it('tests an unfinished line once the output is quiet', async () => {
    const { lines, split } = splitter();
    split.push('Ready> ');
    expect(lines).toEqual([]);
    await waitFor(() => lines.length === 1, { what: 'the unfinished line to be tested' });
    expect(lines).toEqual(['Ready> ']);
    split.close();
  });
});
