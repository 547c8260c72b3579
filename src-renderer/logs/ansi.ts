/**
 * A streaming ANSI parser that keeps SGR (colours and text attributes) and
 * drops every other escape sequence. Agent output is untrusted: a title
 * change, a clear-screen, an OSC 8 hyperlink or an OSC 52 clipboard write must
 * never reach anything but this parser, and what survives is plain text runs
 * that the view renders as React text nodes.
 *
 * State is kept across `push` calls, so a sequence split between two chunks
 * (at any character) is recognised as if it had arrived whole.
 *
 * Bounds: a control string (OSC, DCS, SOS, PM, APC) is abandoned after
 * MAX_STRING_CHARS without a terminator, and at a newline; whatever follows is
 * shown as text again. That way a hostile `ESC ]` with no end can hide at most
 * one line (or 4 KiB), never the rest of the log, and nothing is buffered:
 * the payload is skipped, not stored (we never need it — an OSC 8 link's text
 * is ordinary text between two OSC 8 sequences).
 * Line ends (`\n`) are never consumed by a sequence, so the n-th newline in the
 * output is the n-th 0x0A byte of the input (the line store relies on that to
 * know each line's byte offset).
 */
import { DEFAULT_COLOR, internStyle, PLAIN, TRUECOLOR, type Color, type Style, type StyleFields } from './style';

export interface Run {
  text: string;
  style: Style;
}

export const MAX_STRING_CHARS = 4096;
/** Longest CSI parameter string we keep; a longer one is skipped but never applied. */
const MAX_CSI_PARAM_CHARS = 256;
/** Longest run of intermediate bytes after a bare ESC before we give up on it. */
const MAX_ESC_INTERMEDIATES = 16;

/**
 * (style, SGR parameters) → resulting style. Coloured output repeats a handful
 * of sequences millions of times; remembering their results saves parsing and
 * an allocation per sequence. Bounded per style against hostile variety.
 */
const sgrResults = new WeakMap<Style, Map<string, Style>>();
const MAX_SGR_RESULTS_PER_STYLE = 256;

const GROUND = 0;
const ESCAPE = 1;
const ESCAPE_INTERMEDIATE = 2;
const CSI = 3;
const CONTROL_STRING = 4;
const CONTROL_STRING_ESCAPE = 5;

const ESC = 0x1b;
const BEL = 0x07;
const LF = 0x0a;
const C1_ST = 0x9c;

export class AnsiParser {
  private state = GROUND;
  private style: Style = PLAIN;
  private params = '';
  private paramsTooLong = false;
  private count = 0;

  /** The SGR state in effect now (carries across lines, as in a terminal). */
  get currentStyle(): Style {
    return this.style;
  }

  /** Parses `text`, appending runs to `out` (adjacent runs of one style are merged). */
  push(text: string, out: Run[] = []): Run[] {
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.state === GROUND) {
        const esc = text.indexOf('\x1b', i);
        const end = esc === -1 ? n : esc;
        if (end > i) this.emit(i === 0 && end === n ? text : text.slice(i, end), out);
        if (esc === -1) break;
        this.state = ESCAPE;
        i = esc + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      switch (this.state) {
        case ESCAPE:
          if (c === 0x5b /* [ */) {
            this.state = CSI;
            this.params = '';
            this.paramsTooLong = false;
            i++;
          } else if (c === 0x5d /* ] OSC */ || c === 0x50 /* P DCS */ || c === 0x58 /* X SOS */ || c === 0x5e /* ^ PM */ || c === 0x5f /* _ APC */) {
            this.state = CONTROL_STRING;
            this.count = 0;
            i++;
          } else if (c >= 0x20 && c <= 0x2f) {
            this.state = ESCAPE_INTERMEDIATE;
            this.count = 1;
            i++;
          } else if (c >= 0x30 && c <= 0x7e) {
            // A complete two-character sequence (ESC 7, ESC c, ESC M …): dropped.
            this.state = GROUND;
            i++;
          } else if (c === ESC) {
            i++; // ESC ESC: the first one was nothing; start again.
          } else {
            // ESC then a control or non-ASCII character: drop the ESC, keep the character.
            this.state = GROUND;
          }
          break;
        case ESCAPE_INTERMEDIATE:
          if (c >= 0x20 && c <= 0x2f && this.count < MAX_ESC_INTERMEDIATES) {
            this.count++;
            i++;
          } else if (c >= 0x30 && c <= 0x7e) {
            this.state = GROUND; // e.g. ESC ( B (charset): dropped
            i++;
          } else {
            this.state = GROUND; // malformed: drop what we had, show the character
          }
          break;
        case CSI: {
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d < 0x20 || d > 0x3f) break;
            j++;
          }
          if (j > i) {
            if (!this.paramsTooLong && this.params.length + (j - i) <= MAX_CSI_PARAM_CHARS) this.params += text.slice(i, j);
            else this.paramsTooLong = true;
          }
          if (j === n) {
            i = n; // the sequence continues in the next chunk
            break;
          }
          const final = text.charCodeAt(j);
          if (final >= 0x40 && final <= 0x7e) {
            if (final === 0x6d /* m */ && !this.paramsTooLong) this.applySgr(this.params);
            this.state = GROUND;
            i = j + 1;
          } else {
            // A control character, ESC or non-ASCII inside CSI: abandon it and
            // let ground (or the new ESC) handle the character.
            this.state = GROUND;
            i = j;
          }
          break;
        }
        case CONTROL_STRING: {
          let j = i;
          let ended = false;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === BEL || d === C1_ST) {
              this.state = GROUND;
              j++;
              ended = true;
              break;
            }
            if (d === ESC) {
              this.state = CONTROL_STRING_ESCAPE;
              j++;
              ended = true;
              break;
            }
            if (d === LF || this.count >= MAX_STRING_CHARS) {
              // Unterminated: give up on it; this character and what follows are text again.
              this.state = GROUND;
              ended = true;
              break;
            }
            this.count++;
            j++;
          }
          i = ended ? j : n;
          break;
        }
        case CONTROL_STRING_ESCAPE:
          if (c === 0x5c /* \ : ESC \ is ST */) {
            this.state = GROUND;
            i++;
          } else {
            // Any other ESC ends the string and begins a new sequence.
            this.state = ESCAPE;
          }
          break;
      }
    }
    return out;
  }

  /** Back to plain text and default attributes (after a gap, or for a new page). */
  reset(): void {
    this.state = GROUND;
    this.style = PLAIN;
    this.params = '';
    this.paramsTooLong = false;
    this.count = 0;
  }

  private emit(text: string, out: Run[]): void {
    const last = out[out.length - 1];
    if (last !== undefined && last.style === this.style) last.text += text;
    else out.push({ text, style: this.style });
  }

  private applySgr(params: string): void {
    // Private markers (`CSI > 4;2 m` is xterm's modifyOtherKeys) and
    // intermediates make it a different command, not SGR.
    if (params.length > 0) {
      const first = params.charCodeAt(0);
      if (first >= 0x3c && first <= 0x3f) return;
      for (let k = 0; k < params.length; k++) if (params.charCodeAt(k) < 0x30) return;
    }
    let known = sgrResults.get(this.style);
    if (known === undefined) sgrResults.set(this.style, (known = new Map()));
    const cached = known.get(params);
    if (cached !== undefined) {
      this.style = cached;
      return;
    }
    const next = internStyle(applySgrParams({ ...this.style }, params));
    if (known.size < MAX_SGR_RESULTS_PER_STYLE) known.set(params, next);
    this.style = next;
  }
}

function toInt(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) ? value : -1;
}

function component(text: string | undefined): number {
  const value = toInt(text);
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

function rgb(r: string | undefined, g: string | undefined, b: string | undefined): Color {
  return TRUECOLOR + ((component(r) << 16) | (component(g) << 8) | component(b));
}

/** An extended colour from its sub-parameters (after 38/48/58); undefined if malformed. */
function extendedColor(kind: number, rest: (string | undefined)[], colonForm: boolean): { color: Color | undefined; used: number } {
  if (kind === 5) {
    const index = toInt(rest[0]);
    return { color: index >= 0 && index <= 255 ? index : undefined, used: 1 };
  }
  if (kind === 2) {
    // ITU form `38:2:<colourspace>:r:g:b` has one more field than the common `38;2;r;g;b`.
    if (colonForm && rest.length >= 4) return { color: rgb(rest[1], rest[2], rest[3]), used: 4 };
    return { color: rgb(rest[0], rest[1], rest[2]), used: 3 };
  }
  return { color: undefined, used: 0 };
}

/** Applies one SGR parameter string (`1;31`, `38;5;208`, `38:2::1:2:3`, ``) to `s`. */
export function applySgrParams(s: StyleFields, params: string): StyleFields {
  const groups = params.split(';');
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] ?? '';
    let code: number;
    if (group.includes(':')) {
      const sub = group.split(':');
      code = toInt(sub[0]);
      if (code === 38 || code === 48 || code === 58) {
        const { color } = extendedColor(toInt(sub[1]), sub.slice(2), true);
        if (color !== undefined && code === 38) s.fg = color;
        if (color !== undefined && code === 48) s.bg = color;
        continue;
      }
      if (code === 4) {
        s.underline = toInt(sub[1]) > 0;
        continue;
      }
    } else {
      code = toInt(group);
    }
    if (code === 38 || code === 48 || code === 58) {
      const { color, used } = extendedColor(toInt(groups[g + 1]), groups.slice(g + 2, g + 5), false);
      if (color === undefined) return s; // malformed: ignore the rest, as xterm does
      if (code === 38) s.fg = color;
      if (code === 48) s.bg = color;
      g += 1 + used;
      continue;
    }
    applyCode(s, code);
  }
  return s;
}

function applyCode(s: StyleFields, code: number): void {
  if (code >= 30 && code <= 37) s.fg = code - 30;
  else if (code >= 40 && code <= 47) s.bg = code - 40;
  else if (code >= 90 && code <= 97) s.fg = code - 90 + 8;
  else if (code >= 100 && code <= 107) s.bg = code - 100 + 8;
  else
    switch (code) {
      case 0:
        Object.assign(s, { ...PLAIN, control: s.control });
        break;
      case 1:
        s.bold = true;
        break;
      case 2:
        s.dim = true;
        break;
      case 3:
        s.italic = true;
        break;
      case 4:
      case 21: // double underline: shown as underline
        s.underline = true;
        break;
      case 7:
        s.inverse = true;
        break;
      case 9:
        s.strike = true;
        break;
      case 22:
        s.bold = false;
        s.dim = false;
        break;
      case 23:
        s.italic = false;
        break;
      case 24:
        s.underline = false;
        break;
      case 27:
        s.inverse = false;
        break;
      case 29:
        s.strike = false;
        break;
      case 39:
        s.fg = DEFAULT_COLOR;
        break;
      case 49:
        s.bg = DEFAULT_COLOR;
        break;
      // Blink, conceal (8: hidden text would let an agent hide output), fonts, overline…: ignored.
    }
}
