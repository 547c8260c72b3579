import { describe, expect, it } from 'vitest';
import { AnsiParser, MAX_STRING_CHARS } from '../../../src-renderer/logs/ansi';
import { DEFAULT_COLOR, PLAIN, TRUECOLOR } from '../../../src-renderer/logs/style';
import { ESC, parse, splits } from './helpers';

describe('SGR', () => {
  it('applies the 16 colours, bright colours and backgrounds', () => {
    const { runs } = parse([`${ESC}[31mred${ESC}[0m plain ${ESC}[92;44mgreen on blue`]);
    expect(runs.map((r) => r.text)).toEqual(['red', ' plain ', 'green on blue']);
    expect(runs[0]?.style.fg).toBe(1);
    expect(runs[1]?.style).toBe(PLAIN);
    expect(runs[2]?.style.fg).toBe(10);
    expect(runs[2]?.style.bg).toBe(4);
  });

  it('treats ESC[m and ESC[0m as a full reset, and 39/49 as default colours', () => {
    const a = parse([`${ESC}[1;3;4;7;9;31;42mx${ESC}[my`]).runs;
    expect(a[0]?.style).toMatchObject({ bold: true, italic: true, underline: true, inverse: true, strike: true, fg: 1, bg: 2 });
    expect(a[1]?.style).toBe(PLAIN);
    const b = parse([`${ESC}[31;42mx${ESC}[39my${ESC}[49mz`]).runs;
    expect(b[1]?.style.fg).toBe(DEFAULT_COLOR);
    expect(b[1]?.style.bg).toBe(2);
    expect(b[2]?.style).toBe(PLAIN);
  });

  it('turns single attributes off (22, 23, 24, 27, 29)', () => {
    const runs = parse([`${ESC}[1;2;3;4;7;9ma${ESC}[22;23;24;27;29mb`]).runs;
    expect(runs[0]?.style).toMatchObject({ bold: true, dim: true, italic: true, underline: true, inverse: true, strike: true });
    expect(runs[1]?.style).toBe(PLAIN);
  });

  it('reads 256-colour and truecolour, in ; and : forms', () => {
    const runs = parse([`${ESC}[38;5;208ma${ESC}[48;2;1;2;3mb${ESC}[38:2::10:20:30mc${ESC}[38:5:17md${ESC}[38:2:40:50:60me`]).runs;
    expect(runs[0]?.style.fg).toBe(208);
    expect(runs[1]?.style.bg).toBe(TRUECOLOR + 0x010203);
    expect(runs[2]?.style.fg).toBe(TRUECOLOR + ((10 << 16) | (20 << 8) | 30));
    expect(runs[3]?.style.fg).toBe(17);
    expect(runs[4]?.style.fg).toBe(TRUECOLOR + ((40 << 16) | (50 << 8) | 60));
  });

  it('continues after an extended colour with further codes, and clamps components', () => {
    const runs = parse([`${ESC}[38;2;999;0;0;1mx`]).runs;
    expect(runs[0]?.style.fg).toBe(TRUECOLOR + 0xff0000);
    expect(runs[0]?.style.bold).toBe(true);
  });

  it('shares one style object per distinct look', () => {
    const runs = parse([`${ESC}[31ma${ESC}[0mb${ESC}[31mc`]).runs;
    expect(runs[0]?.style).toBe(runs[2]?.style);
  });

  it('ignores CSI m with a private marker (xterm modifyOtherKeys), and conceal', () => {
    expect(parse([`${ESC}[>4;2mx`]).runs[0]?.style).toBe(PLAIN);
    expect(parse([`${ESC}[8mhidden`]).runs).toEqual([{ text: 'hidden', style: PLAIN }]);
  });

  it('keeps colour across lines, as a terminal does', () => {
    const runs = parse([`${ESC}[31mone\ntwo`]).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]?.text).toBe('one\ntwo');
  });
});

describe('escapes other than SGR are dropped', () => {
  it.each([
    ['a window title (OSC 0, BEL)', `before${ESC}]0;pwned title\x07after`, 'beforeafter'],
    ['a window title (OSC 2, ST)', `before${ESC}]2;pwned${ESC}\\after`, 'beforeafter'],
    ['an OSC 8 hyperlink (the link text stays)', `see ${ESC}]8;;https://evil.example/${ESC}\\the docs${ESC}]8;;${ESC}\\ now`, 'see the docs now'],
    ['an OSC 52 clipboard write and its payload', `x${ESC}]52;c;${btoa('rm -rf ~')}\x07y`, 'xy'],
    ['clear screen and home', `${ESC}[2J${ESC}[Hclean`, 'clean'],
    ['cursor moves and erase line', `a${ESC}[10;20Hb${ESC}[3Ac${ESC}[Kd${ESC}[?25le`, 'abcde'],
    ['a DCS string', `a${ESC}Pq#0;2;0;0;0#0~~@@${ESC}\\b`, 'ab'],
    ['APC, PM and SOS strings', `a${ESC}_Gf=100;AAAA${ESC}\\b${ESC}^pm${ESC}\\c${ESC}Xsos${ESC}\\d`, 'abcd'],
    ['single-character escapes', `a${ESC}7b${ESC}8c${ESC}cd${ESC}=e${ESC}Mf`, 'abcdef'],
    ['charset designation (ESC ( B)', `a${ESC}(Bb${ESC})0c`, 'abc'],
    ['OSC ended by the C1 ST', `a${ESC}]0;t\u009cb`, 'ab'],
    ['an ESC that starts nothing', `a${ESC}\u00e9b`, 'a\u00e9b'],
  ])('%s', (_name, input, expected) => {
    expect(parse([input]).text).toBe(expected);
  });

  it('ends a control string at any other ESC, which starts a new sequence', () => {
    const { runs, text } = parse([`${ESC}]0;title${ESC}[31mred`]);
    expect(text).toBe('red');
    expect(runs[0]?.style.fg).toBe(1);
  });

  it('keeps HTML as literal text', () => {
    const html = '<script>alert(1)</script><img src=x onerror=alert(2)>&amp;';
    expect(parse([`${ESC}[31m${html}`]).text).toBe(html);
  });

  it('never consumes a newline: an escape broken by one is abandoned', () => {
    expect(parse([`a${ESC}[31\nb`]).text).toBe('a\nb');
    expect(parse([`a${ESC}]0;no terminator\nnext line`]).text).toBe('a\nnext line');
    expect(parse([`a${ESC}\nb`]).text).toBe('a\nb');
  });
});

describe('streaming', () => {
  const inputs = [
    `x${ESC}[38;2;10;20;30mcolour${ESC}[0my`,
    `x${ESC}]8;;https://e.example/${ESC}\\link${ESC}]8;;${ESC}\\y`,
    `x${ESC}]0;title\x07y`,
    `x${ESC}]52;c;aGVsbG8=${ESC}\\y`,
    `x${ESC}[2J${ESC}[1;1Hy`,
    `x${ESC}(By${ESC}7z`,
    `x${ESC}P1$r0m${ESC}\\y`,
  ];

  it.each(inputs)('parses an escape split across two chunks at every position: %j', (input) => {
    const whole = parse([input]);
    for (const [a, b] of splits(input)) {
      const split = parse([a, b]);
      expect(split.text).toBe(whole.text);
      expect(split.runs.map((r) => [r.text, r.style])).toEqual(whole.runs.map((r) => [r.text, r.style]));
    }
  });

  it('parses the same input one character at a time', () => {
    for (const input of inputs) expect(parse([...input]).text).toBe(parse([input]).text);
  });

  it('gives up on an unterminated OSC after MAX_STRING_CHARS, and shows what follows', () => {
    const parser = new AnsiParser();
    const junk = 'A'.repeat(MAX_STRING_CHARS);
    const { text } = parse([`${ESC}]52;c;`, junk, 'VISIBLE'], parser);
    expect(text.endsWith('VISIBLE')).toBe(true);
    expect(text.length).toBeLessThanOrEqual('VISIBLE'.length + 10);
  });

  it('does not buffer an unterminated string: a 1 MB payload costs nothing but time', () => {
    const parser = new AnsiParser();
    parser.push(`${ESC}]52;c;`);
    const out = parser.push('B'.repeat(1_000_000));
    // Past the bound the rest is text again (not hidden forever, not stored inside the parser).
    expect(out.map((r) => r.text).join('').length).toBe(1_000_000 - (MAX_STRING_CHARS - '52;c;'.length));
  });

  it('bounds a CSI with a huge parameter list (ignored, not applied)', () => {
    const { runs, text } = parse([`${ESC}[${'1;'.repeat(10_000)}31mx`]);
    expect(text).toBe('x');
    expect(runs[0]?.style).toBe(PLAIN);
  });

  it('reset() returns to plain text', () => {
    const parser = new AnsiParser();
    parser.push(`${ESC}[31m${ESC}]0;`);
    parser.reset();
    expect(parser.push('text')).toEqual([{ text: 'text', style: PLAIN }]);
  });
});
