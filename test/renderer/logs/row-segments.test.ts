import { describe, expect, it } from 'vitest';
import { AnsiParser } from '../../../src-renderer/logs/ansi';
import { LogModel } from '../../../src-renderer/logs/log-model';
import { rowSegments } from '../../../src-renderer/logs/row-segments';
import { PLAIN } from '../../../src-renderer/logs/style';
import { encode } from './helpers';

function firstLine(text: string) {
  const m = new LogModel();
  m.start('stdout', 0);
  m.append('stdout', encode(text));
  const line = m.store.line('both', 0);
  if (line === undefined) throw new Error('no line');
  return line;
}

describe('rowSegments', () => {
  it('gives plain text as one segment', () => {
    expect(rowSegments(firstLine('hello\n'), '', -1)).toEqual([{ text: 'hello', style: PLAIN, match: 0 }]);
  });

  it('cuts at style changes and at matches, marking the current match', () => {
    const red = new AnsiParser().push('\x1b[31mx')[0]?.style;
    const segments = rowSegments(firstLine('ab\x1b[31mcdXb\x1b[0mx\n'), 'b', 5);
    expect(segments.map((s) => [s.text, s.style === red ? 'red' : 'plain', s.match])).toEqual([
      ['a', 'plain', 0],
      ['b', 'plain', 1],
      ['cdX', 'red', 0],
      ['b', 'red', 2],
      ['x', 'plain', 0],
    ]);
  });

  it('keeps markup as text', () => {
    const segments = rowSegments(firstLine('<b onclick="x()">&lt;</b>\n'), '', -1);
    expect(segments.map((s) => s.text).join('')).toBe('<b onclick="x()">&lt;</b>');
  });
});
