/**
 * The built renderer (`npm run build`, out/renderer) is minified and keeps
 * recharts out of the page's entry script: the charts come in their own chunk,
 * loaded when an Overview first shows one (src-renderer/charts/LazyHistoryChart.tsx).
 * The first-paint figure itself is in the browser bench ([b4]).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RENDERER = path.join(REPO, 'out', 'renderer');
/** A class name only recharts' own code writes. */
const RECHARTS_MARK = 'recharts-wrapper';
/** Was one 2.1 MB chunk unminified; minified without the charts it is about 0.5 MB. */
const ENTRY_LIMIT_BYTES = 800 * 1024;

function entryScript(): string {
  const html = readFileSync(path.join(RENDERER, 'index.html'), 'utf8');
  const src = /<script[^>]*type="module"[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
  if (src === undefined) throw new Error('out/renderer/index.html names no module script');
  return path.join(RENDERER, src);
}

describe('the built renderer', () => {
  it.runIf(existsSync(path.join(RENDERER, 'index.html')))('is minified, and recharts is in a chunk of its own, not in the entry script', () => {
    const entry = entryScript();
    const entryText = readFileSync(entry, 'utf8');
    expect(statSync(entry).size).toBeLessThan(ENTRY_LIMIT_BYTES);
    // Minified: a few very long lines, not tens of thousands of indented ones.
    expect(entryText.split('\n').length).toBeLessThan(200);
    expect(entryText).not.toContain(RECHARTS_MARK);
    const chunks = readdirSync(path.join(RENDERER, 'assets')).filter((name) => name.endsWith('.js') && path.join(RENDERER, 'assets', name) !== entry);
    const chartChunk = chunks.find((name) => readFileSync(path.join(RENDERER, 'assets', name), 'utf8').includes(RECHARTS_MARK));
    expect(chartChunk).toMatch(/^HistoryChart-/);
    // The entry loads it by name (a dynamic import), not up front.
    expect(entryText).toContain(chartChunk);
  });
});
