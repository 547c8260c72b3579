/**
 * Line and column of a value in the parsed YAML document, for errors found
 * after parsing (by the schema or the graph checks): the user is sent to the
 * place to change, not just told a dotted path.
 */
import { isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { FilePosition } from './errors';

/** The node at `path` (keys and indexes); for a missing key, the nearest node that exists. `keyOf`: point at that key rather than its value. */
export function positionOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[], keyOf?: string): FilePosition | null {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const step of path) {
    const next = childOf(node, step);
    if (next === undefined) break;
    node = next.value;
    offset = rangeStart(next.value) ?? rangeStart(next.key) ?? offset;
  }
  if (keyOf !== undefined) {
    const pair = childOf(node, keyOf);
    offset = rangeStart(pair?.key) ?? offset;
  }
  if (offset === undefined) return null;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function childOf(node: unknown, step: PropertyKey): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(step));
    return pair === undefined ? undefined : { key: pair.key, value: pair.value };
  }
  if (node !== null && typeof node === 'object' && 'items' in node && Array.isArray(node.items) && typeof step === 'number') {
    const item: unknown = node.items[step];
    return item === undefined ? undefined : { key: undefined, value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}
