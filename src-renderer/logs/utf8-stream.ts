/**
 * Streaming UTF-8 decoding for one log stream. `stream: true` keeps the bytes
 * of a character split across two chunks until the rest arrives; invalid bytes
 * become U+FFFD instead of throwing (`fatal: false`), so binary output can
 * never stop the view.
 */
export class Utf8Stream {
  private decoder = new TextDecoder('utf-8', { fatal: false });

  decode(bytes: Uint8Array): string {
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Forget a half-received character: the next bytes are not its continuation (a gap, a new page). */
  reset(): void {
    this.decoder = new TextDecoder('utf-8', { fatal: false });
  }
}

/** How many leading bytes are UTF-8 continuation bytes (at most 3): a slice that starts mid-character skips them. */
export function leadingContinuationBytes(bytes: Uint8Array): number {
  let n = 0;
  while (n < 3 && n < bytes.length && ((bytes[n] ?? 0) & 0xc0) === 0x80) n++;
  return n;
}
