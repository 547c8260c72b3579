/**
 * Style → React inline style, cached per (interned) style object, so a row
 * render costs a WeakMap lookup per span. Colours only ever come from our
 * palette or from three clamped numbers: nothing from the log text reaches CSS
 * as a string.
 */
import type { CSSProperties } from 'react';
import { DEFAULT_COLOR, TRUECOLOR, type Color, type Style } from './style';

/** The 16 named colours (a VS Code–like dark-on-light-friendly set); styles.css retunes them per theme through --ansi-N. */
const NAMED = [
  '#000000', '#cd3131', '#00a000', '#b58900', '#2472c8', '#bc3fbc', '#0598bc', '#a0a0a0',
  '#666666', '#f14c4c', '#23d18b', '#d5b000', '#3b8eea', '#d670d6', '#29b8db', '#e5e5e5',
].map((fallback, index) => `var(--ansi-${index}, ${fallback})`);

const CUBE = [0, 95, 135, 175, 215, 255];

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** A palette index or truecolour value as CSS; undefined for the default colour. */
export function colorCss(color: Color): string | undefined {
  if (color === DEFAULT_COLOR) return undefined;
  if (color >= TRUECOLOR) {
    const rgb = color - TRUECOLOR;
    return `#${hex((rgb >> 16) & 255)}${hex((rgb >> 8) & 255)}${hex(rgb & 255)}`;
  }
  if (color < 16) return NAMED[color];
  if (color < 232) {
    const c = color - 16;
    return `#${hex(CUBE[Math.floor(c / 36)] ?? 0)}${hex(CUBE[Math.floor(c / 6) % 6] ?? 0)}${hex(CUBE[c % 6] ?? 0)}`;
  }
  const grey = 8 + (color - 232) * 10;
  return `#${hex(grey)}${hex(grey)}${hex(grey)}`;
}

const cache = new WeakMap<Style, CSSProperties>();

export function styleCss(style: Style): CSSProperties {
  const known = cache.get(style);
  if (known !== undefined) return known;
  let fg = colorCss(style.fg);
  let bg = colorCss(style.bg);
  if (style.inverse) [fg, bg] = [bg ?? 'var(--log-bg, #ffffff)', fg ?? 'var(--log-fg, #1e1e1e)'];
  const decorations = [style.underline ? 'underline' : '', style.strike ? 'line-through' : ''].filter(Boolean).join(' ');
  const css: CSSProperties = {
    ...(fg === undefined ? {} : { color: fg }),
    ...(bg === undefined ? {} : { backgroundColor: bg }),
    ...(style.bold ? { fontWeight: 'bold' } : {}),
    ...(style.dim ? { opacity: 0.6 } : {}),
    ...(style.italic ? { fontStyle: 'italic' } : {}),
    ...(decorations ? { textDecoration: decorations } : {}),
    ...(style.control
      ? { color: 'var(--log-control, #a31515)', backgroundColor: 'rgba(163, 21, 21, 0.1)', borderRadius: 2, fontSize: '0.85em' }
      : {}),
  };
  cache.set(style, css);
  return css;
}
