/**
 * The SGR attributes a log run may carry, as small immutable objects shared by
 * every run with the same attributes (interned), so a million coloured lines
 * cost one style object per distinct look, not one per run.
 */

/**
 * A colour: -1 = the default; 0–255 = a palette index (0–15 the named colours);
 * TRUECOLOR + 0xRRGGBB = a 24-bit colour. One number, so styles compare cheaply.
 */
export type Color = number;
export const DEFAULT_COLOR: Color = -1;
export const TRUECOLOR = 256;

export interface Style {
  readonly fg: Color;
  readonly bg: Color;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
  readonly strike: boolean;
  /** Not SGR: this text is a visible stand-in for a control or bidi character (see visible.ts). */
  readonly control: boolean;
}

export type StyleFields = { -readonly [K in keyof Style]: Style[K] };

function keyOf(s: Style): string {
  return `${s.fg},${s.bg},${+s.bold}${+s.dim}${+s.italic}${+s.underline}${+s.inverse}${+s.strike}${+s.control}`;
}

/**
 * Hostile output can ask for 2^48 fg/bg combinations; past this many distinct
 * styles we stop remembering new ones (they are then plain per-run objects,
 * still bounded by the line store's limits).
 */
const MAX_INTERNED = 4096;
const interned = new Map<string, Style>();

/** The one shared object for these attributes. */
export function internStyle(fields: Style): Style {
  const key = keyOf(fields);
  const known = interned.get(key);
  if (known !== undefined) return known;
  const style = Object.freeze({ ...fields });
  if (interned.size < MAX_INTERNED) interned.set(key, style);
  return style;
}

export const PLAIN: Style = internStyle({
  fg: DEFAULT_COLOR,
  bg: DEFAULT_COLOR,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
  strike: false,
  control: false,
});

const controlVariant = new WeakMap<Style, Style>();

/** The same style, marked as a visible control-character stand-in (cached: binary output asks for it per byte). */
export function asControl(style: Style): Style {
  if (style.control) return style;
  let variant = controlVariant.get(style);
  if (variant === undefined) {
    variant = internStyle({ ...style, control: true });
    controlVariant.set(style, variant);
  }
  return variant;
}

export function isPlain(style: Style): boolean {
  return style === PLAIN || keyOf(style) === keyOf(PLAIN);
}
