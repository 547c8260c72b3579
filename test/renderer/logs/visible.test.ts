import { describe, expect, it } from 'vitest';
import { AnsiParser } from '../../../src-renderer/logs/ansi';
import { ControlVisibility, standIn } from '../../../src-renderer/logs/visible';
import { visible } from './helpers';

describe('control characters are made visible', () => {
  it('shows C0 controls as control pictures, but keeps \\n and \\t', () => {
    expect(visible('a\x00b\x07c\x08d\te\nf\x1fg')).toBe('a␀b␇c␈d\te\nf␟g');
  });

  it('shows DEL and C1 controls', () => {
    expect(visible('a\x7fb\u009bc\u0085d')).toBe('a␡b<U+009B>c<U+0085>d');
  });

  it('shows bidi controls so they cannot reorder the line', () => {
    expect(visible('user\u202Egnp.exe')).toBe('user<U+202E>gnp.exe');
    expect(visible('\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u202A\u202B\u202C\u202D')).toBe(
      '<U+2066><U+2067><U+2068><U+2069><U+200E><U+200F><U+061C><U+202A><U+202B><U+202C><U+202D>',
    );
  });

  it('gives stand-ins their own control style, keeping the colour', () => {
    const parser = new AnsiParser();
    const runs = new ControlVisibility().push(parser.push('\x1b[31ma\x07b'));
    expect(runs.map((r) => [r.text, r.style.control, r.style.fg])).toEqual([
      ['a', false, 1],
      ['␇', true, 1],
      ['b', false, 1],
    ]);
  });

  it('treats CRLF as a line end and shows a lone CR', () => {
    expect(visible('a\r\nb')).toBe('a\nb');
    expect(visible('50%\r100%\n')).toBe('50%␍100%\n');
  });

  it('decides a CR at the end of a chunk when the next chunk arrives', () => {
    const style = new AnsiParser().currentStyle;
    const crlf = new ControlVisibility();
    const a = crlf.push([{ text: 'a\r', style }]);
    const b = crlf.push([{ text: '\nb', style }]);
    expect([...a, ...b].map((r) => r.text).join('')).toBe('a\nb');
    const lone = new ControlVisibility();
    const c = lone.push([{ text: 'a\r', style }]);
    const d = lone.push([{ text: 'b', style }]);
    expect([...c, ...d].map((r) => r.text).join('')).toBe('a␍b');
    const held = new ControlVisibility();
    held.push([{ text: 'x\r', style }]);
    expect(held.flush().map((r) => r.text)).toEqual(['␍']);
  });

  it('leaves ordinary text, including right-to-left script and emoji, alone', () => {
    expect(visible('שלום مرحبا 😀 ünï')).toBe('שלום مرحبا 😀 ünï');
    expect(standIn(0x0d)).toBe('␍');
  });
});
