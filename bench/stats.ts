/**
 * Small statistics helpers and the one table `npm run bench` prints.
 */

/** A figure's target: `<=` for costs, `>` for things that must be at least that good. */
export interface Target {
  op: '<=' | '>';
  value: number;
}

/** One line of the table: the median of several rounds, with their min and max. */
export interface Row {
  kind: 'row';
  measure: string;
  unit: string;
  median: number | null;
  min: number | null;
  max: number | null;
  /** How many rounds the figure is made of. */
  rounds: number;
  target: Target | null;
  /** Footnote markers, e.g. "[1]". */
  note?: string;
}

/** A heading line between groups of rows. */
export interface Heading {
  kind: 'heading';
  title: string;
}

export type Line = Row | Heading;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile, `p` in 0–100. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function minOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.min(...values);
}

export function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

export function heading(title: string): Heading {
  return { kind: 'heading', title };
}

/** A row from the rounds' values: median, min, max. */
export function row(measure: string, unit: string, values: readonly number[], target: Target | null = null, note?: string): Row {
  return { kind: 'row', measure, unit, median: median(values), min: minOf(values), max: maxOf(values), rounds: values.length, target, note };
}

/** A row whose middle figure is not the median (e.g. a p50 or a p99 over many samples); min–max still spans the samples. */
export function rowWith(measure: string, unit: string, value: number | null, values: readonly number[], target: Target | null = null, note?: string): Row {
  return { kind: 'row', measure, unit, median: value, min: minOf(values), max: maxOf(values), rounds: values.length, target, note };
}

/**
 * `numerator ÷ denominator` of two rows' medians. The range is the widest the
 * rounds allow (min/max … max/min), so it never claims more than was measured.
 */
export function ratioRow(measure: string, numerator: Row, denominator: Row, note?: string): Row {
  const ok = (r: Row) => r.median !== null && r.min !== null && r.max !== null && r.min > 0 && r.median > 0;
  if (!ok(numerator) || !ok(denominator)) return { kind: 'row', measure, unit: '×', median: null, min: null, max: null, rounds: 0, target: null, note };
  return {
    kind: 'row',
    measure,
    unit: '×',
    median: numerator.median! / denominator.median!,
    min: numerator.min! / denominator.max!,
    max: numerator.max! / denominator.min!,
    rounds: Math.min(numerator.rounds, denominator.rounds),
    target: null,
    note,
  };
}

/**
 * How much `after` grew over `before`, in % of `before` (medians); the range is the widest the rounds
 * allow, as in ratioRow. Negative = it shrank.
 */
export function growthRow(measure: string, after: Row, before: Row, target: Target | null = null, note?: string): Row {
  const ratio = ratioRow(measure, after, before, note);
  const percent = (value: number | null) => (value === null ? null : (value - 1) * 100);
  return { ...ratio, unit: '%', median: percent(ratio.median), min: percent(ratio.min), max: percent(ratio.max), target };
}

export function meets(value: number | null, target: Target | null): boolean | null {
  if (target === null) return null;
  if (value === null) return false;
  return target.op === '<=' ? value <= target.value : value > target.value;
}

export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function withUnit(text: string, unit: string): string {
  if (text === 'n/a' || unit === '') return text;
  return unit === '%' || unit === '×' ? `${text}${unit}` : `${text} ${unit}`;
}

function formatTarget(target: Target | null, unit: string): string {
  if (target === null) return '(info)';
  return `${target.op === '<=' ? '≤' : '>'} ${withUnit(formatNumber(target.value), unit)}`;
}

/** The table, as pipe-separated columns: measure | median | min–max | target | ok. */
export function formatTable(lines: readonly Line[]): string {
  const header = ['measure', 'median', 'min–max', 'target', 'ok'];
  const cells: (string[] | string)[] = lines.map((line) => {
    if (line.kind === 'heading') return line.title;
    const verdict = meets(line.median, line.target);
    const measure = `${line.measure}${line.note ? ` ${line.note}` : ''}`;
    const range = line.min === null || line.max === null ? 'n/a' : withUnit(`${formatNumber(line.min)}–${formatNumber(line.max)}`, line.unit);
    return [measure, withUnit(formatNumber(line.median), line.unit), range, formatTarget(line.target, line.unit), verdict === null ? '' : verdict ? '✓' : '✗'];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => (typeof c === 'string' ? 0 : c[i]!.length))));
  const pad = (values: string[]) => `| ${values.map((value, i) => (i === 0 ? value.padEnd(widths[i]!) : value.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const out = [pad(header), rule];
  for (const c of cells) out.push(typeof c === 'string' ? pad([`**${c}**`, '', '', '', '']) : pad(c));
  return out.join('\n');
}
