/**
 * The web host answers only its own page: a wrong token gets no connection
 * (the page says so), and a foreign Origin is refused before the handshake.
 */
import { describe, expect, test } from 'vitest';
import { textUntil, tryUpgrade, wireUrl } from './harness';
import { useE2E } from './session';

const e2e = useE2E('auth');

describe('web host authentication', () => {
  test(
    'a page opened with a wrong token shows an error and its WebSocket is refused',
    async () => {
      const wrong = `wrong${'x'.repeat(40)}`;
      const url = new URL(e2e.host.url);
      url.searchParams.set('token', wrong);
      // Every WebSocket the page tries: none may receive a frame.
      const sockets: { url: string; frames: number; errors: string[] }[] = [];
      const { page } = await e2e.open({
        url: url.toString(),
        waitForApp: false,
        beforeGoto: (p) =>
          p.on('websocket', (ws) => {
            const seen = { url: ws.url(), frames: 0, errors: [] as string[] };
            sockets.push(seen);
            ws.on('framereceived', () => seen.frames++);
            ws.on('socketerror', (error) => seen.errors.push(error));
          }),
      });
      const alert = page.getByRole('alert').first();
      const text = await textUntil(alert, 'an error about the connection', (t) => t.trim().length > 0, 20_000);
      expect(text).toMatch(/could not connect|token/i);
      // No agent list behind the error: the page never got a connection.
      expect(await page.getByRole('treeitem').count()).toBe(0);
      expect(sockets.length, 'the page tried its WebSocket').toBeGreaterThan(0);
      expect(sockets.every((s) => s.frames === 0), `frames received: ${JSON.stringify(sockets)}`).toBe(true);
      // The same refusal, seen from outside the page.
      expect(await tryUpgrade(wireUrl(e2e.host, wrong), { Origin: e2e.host.origin })).toBe(401);
      expect(await tryUpgrade(wireUrl(e2e.host, ''), { Origin: e2e.host.origin })).toBe(401);
    },
    60_000,
  );

  test(
    'a WebSocket from a foreign Origin is refused with 403, even with the right token',
    async () => {
      expect(await tryUpgrade(wireUrl(e2e.host), { Origin: 'http://evil.example' })).toBe(403);
      expect(await tryUpgrade(wireUrl(e2e.host), { Origin: `http://evil.example:${e2e.host.port}` })).toBe(403);
      // The page's own origin with the right token is accepted: the refusals above are about the Origin.
      expect(await tryUpgrade(wireUrl(e2e.host), { Origin: e2e.host.origin })).toBe(101);
    },
    30_000,
  );
});
