import { describe, expect, it } from 'vitest';
import { LineStore } from '../../../src-renderer/logs/line-store';
import { LogModel } from '../../../src-renderer/logs/log-model';
import { encode } from './helpers';

function texts(store: LineStore, mode: 'stdout' | 'stderr' | 'both' = 'both'): string[] {
  const out: string[] = [];
  for (let i = 0; i < store.count(mode); i++) out.push(store.line(mode, i)?.text ?? '');
  return out;
}

function modelWith(options: ConstructorParameters<typeof LogModel>[0] = {}): LogModel {
  const model = new LogModel(options);
  model.start('stdout', 0);
  model.start('stderr', 0);
  return model;
}

describe('LineStore', () => {
  it('splits at newlines and keeps the last partial line open', () => {
    const model = modelWith();
    model.append('stdout', encode('one\ntwo\nthr'));
    expect(texts(model.store)).toEqual(['one', 'two', 'thr']);
    expect(model.store.line('both', 2)?.open).toBe(true);
    model.append('stdout', encode('ee\nfour'));
    expect(texts(model.store)).toEqual(['one', 'two', 'three', 'four']);
    expect(model.store.line('both', 2)?.open).toBe(false);
  });

  it('does not create an empty line after a trailing newline', () => {
    const model = modelWith();
    model.append('stdout', encode('a\n'));
    expect(texts(model.store)).toEqual(['a']);
    model.append('stdout', encode('\n'));
    expect(texts(model.store)).toEqual(['a', '']);
  });

  it('records each line’s byte offsets (multi-byte characters count as bytes)', () => {
    const model = modelWith();
    model.append('stdout', encode('€\nab\n'));
    const [first, second] = [model.store.line('both', 0), model.store.line('both', 1)];
    expect([first?.offset, first?.end, second?.offset, second?.end]).toEqual([0, 4, 4, 7]);
    expect(model.expected('stdout')).toBe(7);
  });

  it('keeps at most maxLines lines and remembers the offset of the first kept line', () => {
    const model = modelWith({ maxLines: 3 });
    model.append('stdout', encode('l0\nl1\nl2\nl3\nl4\n'));
    expect(texts(model.store)).toEqual(['l2', 'l3', 'l4']);
    expect(model.store.firstKeptOffset('stdout')).toBe(6);
    expect(model.store.line('both', 0)?.offset).toBe(6);
    expect(model.store.base('both')).toBe(2);
  });

  it('evicts by characters too (maxChars)', () => {
    const model = modelWith({ maxChars: 10 });
    model.append('stdout', encode('aaaa\nbbbb\ncccc\n'));
    expect(texts(model.store)).toEqual(['bbbb', 'cccc']);
    expect(model.store.keptChars).toBe(8);
  });

  it('interleaves the streams in arrival order, with a view per stream', () => {
    const model = modelWith();
    model.append('stdout', encode('out1\nout2-'));
    model.append('stderr', encode('err1\n'));
    model.append('stdout', encode('end\n'));
    expect(texts(model.store)).toEqual(['out1', 'out2-end', 'err1']);
    expect(texts(model.store, 'stdout')).toEqual(['out1', 'out2-end']);
    expect(texts(model.store, 'stderr')).toEqual(['err1']);
    expect(model.store.line('both', 2)?.stream).toBe('stderr');
  });

  it('folds a long line: stores maxLineChars characters and counts the rest', () => {
    const model = modelWith({ maxLineChars: 100 });
    model.append('stdout', encode('x'.repeat(250) + '\nshort\n'));
    const line = model.store.line('both', 0);
    expect(line?.text.length).toBe(100);
    expect(line?.hidden).toBe(150);
    expect(line?.end).toBe(251);
    expect(texts(model.store)[1]).toBe('short');
  });

  it('keeps memory bounded for a 50 MB line without a newline', () => {
    const model = modelWith();
    const chunk = encode('y'.repeat(1024 * 1024));
    for (let i = 0; i < 50; i++) model.append('stdout', chunk);
    const line = model.store.line('both', 0);
    expect(model.store.count('both')).toBe(1);
    expect(line?.text.length).toBe(10_000);
    expect(line?.hidden).toBe(50 * 1024 * 1024 - 10_000);
    expect(model.store.keptChars).toBe(10_000);
    expect(model.expected('stdout')).toBe(50 * 1024 * 1024);
  });

  it('stores colour as shared spans, and no spans at all for plain lines', () => {
    const model = modelWith();
    model.append('stdout', encode('plain\n\x1b[31mred\x1b[0m tail\n'));
    expect(model.store.line('both', 0)?.spans).toBeNull();
    const spans = model.store.line('both', 1)?.spans;
    expect(spans?.map((s) => [s.start, s.style.fg])).toEqual([
      [0, 1],
      [3, -1],
    ]);
  });

  it('keeps the rest of an open line that was evicted as a "continued" line', () => {
    const model = modelWith({ maxLines: 2 });
    model.append('stdout', encode('partial-'));
    model.append('stderr', encode('e1\ne2\n'));
    model.append('stdout', encode('rest\n'));
    expect(texts(model.store)).toEqual(['e2', 'rest']);
    const rest = model.store.line('stdout', 0);
    expect(rest?.text).toBe('rest');
    expect(rest?.continued).toBe(true);
    expect(rest?.offset).toBe(8);
  });

  it('marks a big gap: drops the stream’s lines, adds a marker, restarts at the new offset', () => {
    const model = modelWith();
    model.append('stdout', encode('old\n'));
    model.append('stderr', encode('err\n'));
    model.skip('stdout', 4, 10_000_004);
    model.append('stdout', encode('new\n'));
    expect(texts(model.store)).toEqual(['err', '… 10,000,000 bytes not shown — Load older', 'new']);
    expect(model.store.firstKeptOffset('stdout')).toBe(10_000_004);
    expect(model.store.line('stdout', 1)?.offset).toBe(10_000_004);
  });

  it('prepends older bytes before the first kept line ("Load older")', () => {
    const model = new LogModel();
    model.start('stdout', 8);
    model.append('stdout', encode('l2\nl3\n'));
    expect(model.prepend('stdout', 1, encode('ial\nl1\n'))).toBe(true);
    // The partial first line of the page belongs to older bytes and is cut.
    expect(texts(model.store)).toEqual(['l1', 'l2', 'l3']);
    expect(model.store.firstKeptOffset('stdout')).toBe(5);
    expect(model.store.base('both')).toBe(-1);
    // Bytes that no longer end where the store starts are refused.
    expect(model.prepend('stdout', 0, encode('xx'))).toBe(false);
  });

  it('counts versions so the view can re-render cheaply', () => {
    const model = modelWith();
    const before = model.store.version;
    let calls = 0;
    const off = model.store.subscribe(() => calls++);
    model.append('stdout', encode('a\n'));
    off();
    model.append('stdout', encode('b\n'));
    expect(model.store.version).toBe(before + 2);
    expect(calls).toBe(1);
  });
});
