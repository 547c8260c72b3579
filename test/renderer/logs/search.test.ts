import { describe, expect, it } from 'vitest';
import { LogModel } from '../../../src-renderer/logs/log-model';
import { findAll, foldCase, LogSearch } from '../../../src-renderer/logs/search';
import { encode } from './helpers';

function model(text: string, options: ConstructorParameters<typeof LogModel>[0] = {}): LogModel {
  const m = new LogModel(options);
  m.start('stdout', 0);
  m.start('stderr', 0);
  if (text) m.append('stdout', encode(text));
  return m;
}

describe('search', () => {
  it('finds case-insensitive, non-overlapping substrings', () => {
    expect(findAll('Error error ERROR', 'error')).toEqual([0, 6, 12]);
    expect(findAll('aaaa', 'aa')).toEqual([0, 2]);
    expect(findAll('abc', '')).toEqual([]);
    expect(foldCase('İx').length).toBe(2);
  });

  it('counts matches over kept lines', () => {
    const m = model('one error\nno\nERROR twice error\n');
    const search = new LogSearch();
    search.update(m.store, 'both', 'Error');
    expect(search.count).toBe(3);
  });

  it('updates incrementally as lines arrive, including a line that was still open', () => {
    const m = model('error\nerr');
    const search = new LogSearch();
    search.update(m.store, 'both', 'error');
    expect(search.count).toBe(1);
    m.append('stdout', encode('or here\nand error\n'));
    search.update(m.store, 'both', 'error');
    expect(search.count).toBe(3);
  });

  it('forgets matches of evicted lines', () => {
    const m = model('', { maxLines: 3 });
    const search = new LogSearch();
    m.append('stdout', encode('hit\nhit\nmiss\n'));
    search.update(m.store, 'both', 'hit');
    expect(search.count).toBe(2);
    m.append('stdout', encode('miss\nmiss\n'));
    search.update(m.store, 'both', 'hit');
    expect(search.count).toBe(0);
  });

  it('searches only the chosen stream', () => {
    const m = model('x out\n');
    m.append('stderr', encode('x err\nx err\n'));
    const search = new LogSearch();
    search.update(m.store, 'stderr', 'x');
    expect(search.count).toBe(2);
    search.update(m.store, 'stdout', 'x');
    expect(search.count).toBe(1);
    search.update(m.store, 'both', 'x');
    expect(search.count).toBe(3);
  });

  it('moves next and previous through matches, wrapping around', () => {
    const m = model('a x x\nb\nc x\n');
    const search = new LogSearch();
    search.update(m.store, 'both', 'x');
    const seen = [search.next(), search.next(), search.next(), search.next()].map((match) => [match?.seq, match?.col]);
    expect(seen).toEqual([
      [0, 2],
      [0, 4],
      [2, 2],
      [0, 2],
    ]);
    expect(search.currentIndex()).toBe(0);
    expect(search.previous()).toEqual({ seq: 2, col: 2 });
    expect(search.currentIndex()).toBe(2);
    expect(search.previous()).toEqual({ seq: 0, col: 4 });
  });

  it('selects from a line on (for a new query: from the top of the screen)', () => {
    const m = model('x\ny\nx\n');
    const search = new LogSearch();
    search.update(m.store, 'both', 'x');
    expect(search.selectFrom(1)).toEqual({ seq: 2, col: 0 });
    expect(search.selectFrom(3)).toEqual({ seq: 0, col: 0 });
  });

  it('caps the number of matches', () => {
    const m = model('e'.repeat(500) + '\n' + 'e'.repeat(500) + '\n');
    const search = new LogSearch(600);
    search.update(m.store, 'both', 'e');
    expect(search.count).toBe(600);
    expect(search.isCapped).toBe(true);
  });

  it('recomputes after Load older changed the lines in the middle', () => {
    const m = new LogModel();
    m.start('stdout', 6);
    m.append('stdout', encode('hit c\n'));
    const search = new LogSearch();
    search.update(m.store, 'both', 'hit');
    expect(search.count).toBe(1);
    m.prepend('stdout', 0, encode('hit a\n'));
    search.update(m.store, 'both', 'hit');
    expect(search.count).toBe(2);
  });
});
