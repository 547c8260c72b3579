/**
 * One log line. Text reaches the DOM only as React text nodes; styles come
 * from style-css.ts (our palette, clamped numbers), never from the log.
 */
import { memo, type CSSProperties } from 'react';
import type { LogLine } from './line-store';
import { rowSegments } from './row-segments';
import { styleCss } from './style-css';

export const ROW_HEIGHT = 18;

const rowStyle: CSSProperties = {
  position: 'absolute',
  top: 0,
  left: 0,
  height: ROW_HEIGHT,
  lineHeight: `${ROW_HEIGHT}px`,
  minWidth: '100%',
  width: 'max-content',
  whiteSpace: 'pre',
  // Each line is its own bidi island, left to right: right-to-left text still
  // reads correctly inside it, but cannot reorder anything around it.
  direction: 'ltr',
  unicodeBidi: 'isolate',
  paddingLeft: 6,
  paddingRight: 12,
  boxSizing: 'border-box',
  borderLeft: '3px solid transparent',
};

const stderrStyle: CSSProperties = { ...rowStyle, borderLeft: '3px solid #d93f3f', backgroundColor: 'rgba(217, 63, 63, 0.06)' };

/** Wrapped: as tall as its text needs (the view measures it), never wider than the view. */
const wrapStyle: CSSProperties = { height: 'auto', width: '100%', minWidth: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' };
const stampStyle: CSSProperties = { color: '#6a737d' };
const markerStyle: CSSProperties = { ...rowStyle, color: '#6a737d', fontStyle: 'italic', fontWeight: 600 };

const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

const foldStyle: CSSProperties = { color: '#6a737d', fontStyle: 'italic' };
const gapStyle: CSSProperties = { color: '#6a737d', fontStyle: 'italic' };
const matchStyle: CSSProperties = { backgroundColor: '#fff3a0', color: 'inherit' };
const currentMatchStyle: CSSProperties = { backgroundColor: '#ff9632', color: '#000', outline: '1px solid #b35c00' };

export interface LogRowProps {
  line: LogLine;
  /** Passed separately: an open line's object is updated in place, so memo must see its text change. */
  text: string;
  hidden: number;
  spanCount: number;
  top: number;
  /** In "both" mode, stderr lines say so to screen readers. */
  labelStream: boolean;
  needle: string;
  currentCol: number;
  /** The seen-at time shown before the text ("Timestamps"), or null. */
  stamp: string | null;
  /** "Wrap lines": the row's height follows its text and `measure` is told. */
  wrap: boolean;
  /** The view's row index (the virtualiser measures wrapped rows by it). */
  index: number;
  measure?: ((element: Element | null) => void) | undefined;
}

export const LogRow = memo(function LogRow({ line, top, labelStream, needle, currentCol, stamp, wrap, index, measure }: LogRowProps) {
  const isStderr = line.stream === 'stderr';
  const style = { ...(isStderr ? stderrStyle : rowStyle), ...(wrap ? wrapStyle : null), transform: `translateY(${top}px)` };
  return (
    <div ref={wrap ? measure : undefined} data-index={index} className={isStderr ? 'log-line log-line-stderr' : 'log-line'} data-stream={line.stream} style={style}>
      {stamp !== null && (
        <time className="log-stamp" style={stampStyle} dateTime={line.at === null ? undefined : new Date(line.at).toISOString()} title="When Corral saw this line">
          {`${stamp} `}
        </time>
      )}
      {labelStream && isStderr && <span style={visuallyHidden}>stderr: </span>}
      {line.continued && <span style={foldStyle}>…</span>}
      {line.kind === 'gap' ? (
        <span style={gapStyle}>{line.text}</span>
      ) : (
        rowSegments(line, needle, currentCol).map((segment, i) => {
          const css = styleCss(segment.style);
          if (segment.match === 0) return Object.keys(css).length === 0 ? segment.text : <span key={i} style={css}>{segment.text}</span>;
          return (
            <mark key={i} className={segment.match === 2 ? 'log-match log-match-current' : 'log-match'} style={{ ...css, ...(segment.match === 2 ? currentMatchStyle : matchStyle) }}>
              {segment.text}
            </mark>
          );
        })
      )}
      {line.hidden > 0 && <span style={foldStyle}>{` … ${line.hidden.toLocaleString('en-US')} more characters`}</span>}
    </div>
  );
});

export interface RunMarkerRowProps {
  label: string;
  text: string;
  top: number;
  index: number;
  wrap: boolean;
  measure?: ((element: Element | null) => void) | undefined;
}

/** The line between two runs (run-markers.ts): not log text, so search never matches it. */
export const RunMarkerRow = memo(function RunMarkerRow({ label, text, top, index, wrap, measure }: RunMarkerRowProps) {
  return (
    <div ref={wrap ? measure : undefined} data-index={index} role="separator" aria-label={label} className="log-run-marker" style={{ ...markerStyle, ...(wrap ? wrapStyle : null), transform: `translateY(${top}px)` }}>
      {text}
    </div>
  );
});
