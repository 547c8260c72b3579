/**
 * Makes invisible characters visible, after ANSI parsing. A control character
 * could otherwise beep, move the caret, or hide itself; a bidi control could
 * reorder the line so that what you read is not what the agent wrote.
 *
 * - C0 controls except \n and \t → Unicode control pictures (BEL → ␇, NUL → ␀)
 * - DEL → ␡
 * - C1 controls (U+0080–U+009F) → `<U+009B>`
 * - bidi controls (LRE…RLO, LRI…PDI, LRM, RLM, ALM) and the Unicode line and
 *   paragraph separators (which could break our one-row-per-line layout)
 *   → `<U+202E>`
 * - CRLF → a normal line end (the \r is dropped); a lone \r → ␍
 *
 * Each stand-in is a run of its own with the `control` flag set, so the view
 * can show it in a distinct style. The only state kept across calls is a \r at
 * the very end of a chunk, which waits to see whether a \n follows.
 */
import type { Run } from './ansi';
import { asControl, type Style } from './style';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SPECIAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- same set, global, for scanning
const SPECIAL_GLOBAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const CR = 0x0d;

/** The visible stand-in for one special character. */
export function standIn(code: number): string {
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

export class ControlVisibility {
  /** Style of a \r that ended the previous chunk, still waiting for its \n. */
  private pendingCr: Style | null = null;

  push(runs: readonly Run[], out: Run[] = []): Run[] {
    for (const run of runs) this.pushRun(run, out);
    return out;
  }

  /** Shows a \r still held back (no more data is coming for now, or a gap follows). */
  flush(out: Run[] = []): Run[] {
    if (this.pendingCr !== null) out.push({ text: standIn(CR), style: asControl(this.pendingCr) });
    this.pendingCr = null;
    return out;
  }

  reset(): void {
    this.pendingCr = null;
  }

  private pushRun(run: Run, out: Run[]): void {
    const text = run.text;
    if (text.length === 0) return;
    if (this.pendingCr !== null) {
      if (text.charCodeAt(0) !== 0x0a) out.push({ text: standIn(CR), style: asControl(this.pendingCr) });
      this.pendingCr = null;
    }
    if (!SPECIAL.test(text)) {
      out.push(run);
      return;
    }
    SPECIAL_GLOBAL.lastIndex = 0;
    let from = 0;
    let match: RegExpExecArray | null;
    while ((match = SPECIAL_GLOBAL.exec(text)) !== null) {
      const at = match.index;
      if (at > from) out.push({ text: text.slice(from, at), style: run.style });
      from = at + 1;
      const code = text.charCodeAt(at);
      if (code === CR) {
        if (at + 1 === text.length) {
          this.pendingCr = run.style; // decide when we see the next character
          continue;
        }
        if (text.charCodeAt(at + 1) === 0x0a) continue; // CRLF: the \n ends the line
      }
      const last = out[out.length - 1];
      const style = asControl(run.style);
      if (last !== undefined && last.style === style) last.text += standIn(code);
      else out.push({ text: standIn(code), style });
    }
    if (from < text.length) out.push({ text: text.slice(from), style: run.style });
  }
}
