/**
 * The page loads without a console error: it has a favicon (an SVG the web
 * host serves from the built renderer), so the browser's request for one
 * does not end in a 404.
 */
import { describe, expect, test } from 'vitest';
import { useE2E } from './session';

const e2e = useE2E('favicon');

describe('favicon', () => {
  test(
    'the page names an SVG icon the host serves, and loading it logs no console error',
    async () => {
      const icons: { url: string; status: number }[] = [];
      const { page, errors } = await e2e.open({
        beforeGoto: (p) =>
          p.on('response', (response) => {
            if (/favicon/.test(response.url())) icons.push({ url: response.url(), status: response.status() });
          }),
      });
      // The browser asks for the icon once the document has loaded: wait for that answer, whatever it is.
      await page.waitForLoadState('load');
      const href = await page.evaluate(`document.querySelector('link[rel="icon"]')?.getAttribute('href') ?? null`);
      expect(href, 'a <link rel="icon"> in index.html').not.toBeNull();
      const icon = await fetch(new URL(href as string, e2e.host.origin));
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      expect(await icon.text()).toMatch(/^<svg[\s>]/);

      // What the page itself fetched for an icon (if it did before now) all answered 200.
      expect(icons.filter((i) => i.status !== 200)).toEqual([]);
      // A reload: wait for the browser's own request for the icon (today's page had none, and got a 404 for /favicon.ico).
      const iconAnswer = page.waitForResponse((response) => /favicon/.test(response.url()), { timeout: 15_000 });
      await page.reload();
      expect((await iconAnswer).status()).toBe(200);
      await page.getByRole('heading', { level: 1, name: 'Corral' }).waitFor({ timeout: 15_000 });
      expect(icons.filter((i) => i.status !== 200)).toEqual([]);
      expect(errors).toEqual([]);
    },
    60_000,
  );
});
