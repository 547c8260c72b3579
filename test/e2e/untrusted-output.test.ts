/**
 * An agent's output is untrusted text: markup shows as literal characters,
 * colours are kept, every other terminal escape (window title, OSC 8 links,
 * clear screen) is dropped, and nothing the agent prints runs in the page.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openFixtureLogs, textUntil } from './harness';
import { useE2E } from './session';

const e2e = useE2E('hostile');

describe('untrusted agent output in the log view', () => {
  test(
    'HTML and terminal escapes print as text: no script runs, no element or link is made, the title stays',
    async () => {
      const { page } = await e2e.open();
      const titleBefore = await page.title();
      const id = e2e.id('out');
      await openFixtureLogs(page, { name: 'Hostile output', agentId: id, script: 'hostile-output.mjs' });
      const log = page.getByRole('log', { name: 'Log output' });
      const text = await textUntil(log, 'the hostile lines', (t) => t.includes('hostile: done'), 20_000);

      // The markup is there as characters.
      expect(text).toContain('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">');
      // Colours keep their text; the escapes themselves are gone.
      expect(text).toContain('red-text');
      expect(text).toContain('bold-green');
      expect(text).toContain('after-title');
      expect(text).toContain('link-text');
      expect(text).toContain('after-link');
      expect(text).toContain('after-clear');
      expect(text).not.toContain('evil-title');
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('\x1b');
      expect(text).not.toContain('[31m');

      // The clear-screen escape cleared nothing.
      expect(text).toContain('hostile: start');
      // SGR colour is kept: the red text is drawn in another colour than a plain line.
      const colourOf = (locator: Locator) =>
        locator.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
      const red = await colourOf(log.getByText('red-text', { exact: true }));
      const plain = await colourOf(log.getByText('hostile: start', { exact: true }));
      expect(red).not.toBe(plain);

      // Nothing ran, nothing was made.
      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
      expect(await log.locator('script, img').count()).toBe(0);
      expect(await page.locator('a[href*="evil.example"]').count()).toBe(0);
      expect(await page.getByRole('link', { name: 'link-text' }).count()).toBe(0);
      expect(await page.title()).toBe(titleBefore);
      expect(await page.title()).not.toContain('evil');
    },
    60_000,
  );
});
