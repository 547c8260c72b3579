/**
 * The Logs tab: an agent's stdout and stderr, live, from an untrusted source.
 * Roles and names follow docs/ui-names.md ("Logs tab").
 *
 * Data: log-feed.ts keeps a LogModel (bounded line store) in step with the
 * files and the `log` events; appends happen as events arrive, and React
 * renders at most once per animation frame (useFrameVersion), however many
 * events came in between. Rows have one fixed height and do not wrap (long
 * lines scroll sideways and are folded at 10 000 characters), which keeps the
 * virtualised list O(visible rows) per frame; "Wrap lines" makes the rows as
 * tall as their text (the virtualiser measures the rows on screen only).
 * "Timestamps" shows when the engine saw each line (LogLine.at); a marker line
 * separates runs (run-markers.ts); "Download log" saves the whole log
 * (log-download.ts).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { CorralApi } from '../../src-preload/contract';
import { downloadLog } from './log-download';
import { LogFeed } from './log-feed';
import { LogModel } from './log-model';
import { LogRow, ROW_HEIGHT, RunMarkerRow } from './LogRow';
import { markersOf, markerText, rowAt, rowOfLine, seenTime } from './run-markers';
import type { LineStore, LogStream, StreamMode } from './line-store';
import { foldCase, LogSearch } from './search';
import { useRuns } from './use-runs';

export interface LogViewProps {
  api: CorralApi;
  agentId: string;
  /** The agent is still running: its files may grow. */
  live: boolean;
}

/** One view per agent: a new agent id starts from a fresh model. */
export function LogView(props: LogViewProps) {
  return <AgentLogView key={props.agentId} {...props} />;
}

const MODES: readonly StreamMode[] = ['stdout', 'stderr', 'both'];
/** While live and no event came for this long, ask the files whether bytes were missed. */
const IDLE_CHECK_MS = 2_000;
/** The store's version, updated at most once per animation frame. */
function useFrameVersion(store: LineStore): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = store.subscribe(() => {
      if (frame === 0)
        frame = requestAnimationFrame(() => {
          frame = 0;
          setVersion(store.version);
        });
    });
    return () => {
      unsubscribe();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [store]);
  return version;
}

function streamsOf(mode: StreamMode): LogStream[] {
  return mode === 'both' ? ['stdout', 'stderr'] : [mode];
}

function AgentLogView({ api, agentId, live }: LogViewProps) {
  const [model] = useState(() => new LogModel());
  const store = model.store;
  const feedRef = useRef<LogFeed | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<StreamMode>('both');
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [timestamps, setTimestamps] = useState(false);
  const [wrap, setWrap] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const runs = useRuns(api, agentId, live);
  const [, setTick] = useState(0);
  const version = useFrameVersion(store);
  const [search] = useState(() => new LogSearch());
  const scrollRef = useRef<HTMLDivElement>(null);
  const lastBase = useRef<{ mode: StreamMode; base: number } | null>(null);
  const revealPending = useRef(false);
  // The scrollTop the view last gave itself: the scroll event that reports exactly it is the view's own, not the user's.
  const selfScrollTop = useRef<number | null>(null);
  /** Scrolls the view itself (follow, reveal, keeping place); onScroll then ignores the event this causes. */
  const scrollSelf = useCallback((el: HTMLElement, top: number) => {
    el.scrollTop = top;
    selfScrollTop.current = el.scrollTop;
  }, []);

  // Subscribe first, then follow, then read the tails: no event can fall between.
  useEffect(() => {
    const feed = new LogFeed(api, agentId, model, { onError: setError });
    feedRef.current = feed;
    const unsubscribe = api.subscribe('log', (event) => feed.onEvent(event));
    void api
      .followLogs({ agentIds: [agentId] })
      .then((result) => {
        if (!result.ok) setError(`Live output is unavailable: ${result.error.message}`);
      })
      .catch(() => setError('Live output is unavailable.'));
    void feed.start();
    return () => {
      feed.dispose();
      unsubscribe();
      if (feedRef.current === feed) feedRef.current = null;
      // One detail view is open at a time, so this client follows nobody now.
      void api.followLogs({ agentIds: [] }).catch(() => undefined);
    };
  }, [api, agentId, model]);

  // Events can be dropped at the very end of a run, with no later event to reveal the gap: check the files.
  useEffect(() => {
    if (live) {
      const timer = setInterval(() => {
        const feed = feedRef.current;
        if (feed !== null && Date.now() - feed.lastEventAt >= IDLE_CHECK_MS) feed.catchUp();
      }, IDLE_CHECK_MS);
      return () => clearInterval(timer);
    }
    const timers = [500, 2_500].map((ms) => setTimeout(() => feedRef.current?.catchUp(), ms));
    return () => timers.forEach(clearTimeout);
  }, [live]);

  const count = store.count(mode);
  // Per render: two binary searches per run on record (at most MAX_RUNS runs), nothing per line.
  const markers = markersOf(store, mode, runs);
  // Read by callbacks that must not change on every render (a new query's effect depends on reveal; the
  // virtualiser recomputes every row's position when its key function changes).
  const markersRef = useRef(markers);
  markersRef.current = markers;
  const modeRef = useRef(mode);
  modeRef.current = mode;
  // Keyed by line (not row index): a wrapped row's measured height stays its own as lines and markers come and go.
  const itemKey = useCallback(
    (row: number) => {
      const at = rowAt(markersRef.current, row);
      return at.kind === 'marker' ? `run-${at.marker.run.run}` : (store.line(modeRef.current, at.line)?.seq ?? `row-${row}`);
    },
    [store],
  );
  const virtualizer = useVirtualizer({
    count: count + markers.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: itemKey,
    overscan: 15,
  });
  // Unwrapped rows are all ROW_HEIGHT again: forget what wrapping measured.
  useLayoutEffect(() => virtualizer.measure(), [wrap, virtualizer]);
  /** Where row `row` should be scrolled to to sit mid-view (measured heights when wrapping). */
  const centreOf = useCallback(
    (row: number, el: HTMLElement) => virtualizer.getOffsetForIndex(row, 'center')?.[0] ?? row * ROW_HEIGHT - el.clientHeight / 2 + ROW_HEIGHT / 2,
    [virtualizer],
  );

  const reveal = useCallback(() => {
    const match = search.currentMatch;
    const el = scrollRef.current;
    if (match === null || el === null) return;
    setFollow(false);
    const index = store.indexOfSeq(mode, match.seq);
    scrollSelf(el, Math.max(0, centreOf(rowOfLine(markersRef.current, index), el)));
    revealPending.current = true;
    setTick((t) => t + 1);
  }, [search, store, mode, scrollSelf, centreOf]);

  // Search is incremental: only new and still-open lines are scanned per frame.
  search.update(store, mode, query);
  // A new query (or mode) selects the first match from the top of what is on screen.
  useEffect(() => {
    if (query === '') return;
    search.update(store, mode, query);
    const topRow = virtualizer.getVirtualItemForOffset(scrollRef.current?.scrollTop ?? 0)?.index ?? 0;
    const topAt = rowAt(markersRef.current, topRow);
    const top = store.line(mode, topAt.kind === 'line' ? topAt.line : topAt.marker.before);
    if (search.selectFrom(top?.seq ?? Number.NEGATIVE_INFINITY) !== null) reveal();
    setTick((t) => t + 1);
  }, [query, mode, search, store, reveal]);

  // Keep the tail in view, or keep what the user is reading in place when lines come and go above it.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const base = store.base(mode);
    const previous = lastBase.current;
    lastBase.current = { mode, base };
    if (follow) {
      scrollSelf(el, el.scrollHeight);
    } else if (previous !== null && previous.mode === mode && previous.base !== base) {
      scrollSelf(el, Math.max(0, el.scrollTop - (base - previous.base) * ROW_HEIGHT));
    }
    if (revealPending.current) {
      const current = el.querySelector('mark.log-match-current');
      if (current !== null) {
        revealPending.current = false;
        current.scrollIntoView({ block: 'nearest', inline: 'center' });
        selfScrollTop.current = el.scrollTop;
      }
    }
  });

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if ((event.shiftKey ? search.previous() : search.next()) !== null) reveal();
  };

  const onScroll = () => {
    const el = scrollRef.current;
    if (el === null) return;
    // The browser reports a scroll on the frame after it was made: by then the user may have unticked Follow, and
    // the view's own scroll to the tail must not tick it again. Any other position is the user's, and ends the mark.
    const own = el.scrollTop === selfScrollTop.current;
    selfScrollTop.current = null;
    if (own) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= ROW_HEIGHT;
    if (atBottom && !follow) {
      setFollow(true);
      store.dropSlack();
    } else if (!atBottom && follow && !revealPending.current) {
      setFollow(false);
    }
  };

  const onFollowChange = (checked: boolean) => {
    setFollow(checked);
    if (checked) {
      store.dropSlack();
      const el = scrollRef.current;
      if (el !== null) scrollSelf(el, el.scrollHeight);
    }
  };

  const olderStreams = streamsOf(mode).filter((stream) => store.firstKeptOffset(stream) > 0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const loadOlder = async () => {
    const feed = feedRef.current;
    if (feed === null) return;
    setLoadingOlder(true);
    try {
      await Promise.all(olderStreams.map((stream) => feed.loadOlder(stream)));
    } finally {
      setLoadingOlder(false);
    }
  };

  const download = async () => {
    setDownloading(true);
    try {
      await downloadLog(api, agentId, mode);
    } catch (thrown) {
      setError(`Could not download the log: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    } finally {
      setDownloading(false);
    }
  };

  const total = search.count;
  const position = search.currentIndex();
  const plus = search.isCapped ? '+' : '';
  const matchesText = query === '' ? '' : total === 0 ? 'No matches' : position >= 0 ? `${position + 1} of ${total}${plus}` : `${total}${plus} matches`;
  const needle = foldCase(query);
  const current = search.currentMatch;

  return (
    <div className="log-view" style={rootStyle} data-version={version}>
      <div className="log-toolbar" style={toolbarStyle}>
        <div role="radiogroup" aria-label="Stream" style={groupStyle}>
          {MODES.map((value) => (
            <label key={value} style={labelStyle}>
              <input type="radio" name={`log-stream-${agentId}`} value={value} checked={mode === value} onChange={() => setMode(value)} />
              {value}
            </label>
          ))}
        </div>
        <label style={labelStyle}>
          <input type="checkbox" checked={follow} onChange={(event) => onFollowChange(event.target.checked)} />
          Follow
        </label>
        <label style={labelStyle}>
          <input type="checkbox" checked={timestamps} onChange={(event) => setTimestamps(event.target.checked)} />
          Timestamps
        </label>
        <label style={labelStyle}>
          <input type="checkbox" checked={wrap} onChange={(event) => setWrap(event.target.checked)} />
          Wrap lines
        </label>
        {/* One unit: when the toolbar wraps, the search's buttons stay beside it. */}
        <div className="log-search" style={searchGroupStyle}>
          <input type="search" aria-label="Search logs" placeholder="Search logs" value={query} onChange={(event) => setQuery(event.target.value)} onKeyDown={onSearchKey} style={{ minWidth: 160 }} />
          <button type="button" aria-label="Previous match" title="Previous match (Shift+Enter)" disabled={total === 0} onClick={() => search.previous() !== null && reveal()}>
            ↑
          </button>
          <button type="button" aria-label="Next match" title="Next match (Enter)" disabled={total === 0} onClick={() => search.next() !== null && reveal()}>
            ↓
          </button>
          <span role="status" aria-label="Matches" style={{ minWidth: 80 }}>
            {matchesText}
          </span>
        </div>
        <button type="button" onClick={() => void download()} disabled={downloading} title={`Save the whole ${mode === 'both' ? 'log (both streams, merged by time)' : `${mode} log`}, rotated files included`}>
          Download log
        </button>
        {olderStreams.length > 0 && (
          <button type="button" onClick={() => void loadOlder()} disabled={loadingOlder}>
            Load older
          </button>
        )}
      </div>
      {error !== null && <p className="log-error" style={errorStyle}>{error}</p>}
      <div
        ref={scrollRef}
        role="log"
        aria-label="Log output"
        // Thousands of lines a second would drown a screen reader; the lines are there to read at will.
        aria-live="off"
        tabIndex={0}
        className="log-output"
        style={outputStyle}
        onScroll={onScroll}
        onWheel={(event) => {
          if (event.deltaY < 0 && follow) setFollow(false);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const at = rowAt(markers, item.index);
            if (at.kind === 'marker') {
              const { label, text } = markerText(at.marker.run);
              return <RunMarkerRow key={`run-${at.marker.run.run}`} label={label} text={text} top={item.start} index={item.index} wrap={wrap} measure={virtualizer.measureElement} />;
            }
            const line = store.line(mode, at.line);
            if (line === undefined) return null;
            return (
              <LogRow
                key={line.seq}
                index={item.index}
                wrap={wrap}
                measure={virtualizer.measureElement}
                stamp={timestamps ? (line.at === null ? '–'.padEnd(12) : seenTime(line.at)) : null}
                line={line}
                text={line.text}
                hidden={line.hidden}
                spanCount={line.spans?.length ?? 0}
                top={item.start}
                labelStream={mode === 'both'}
                needle={needle}
                currentCol={current !== null && current.seq === line.seq ? current.col : -1}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

// Grows in its tab panel (styles.css makes the Logs tab fill the detail panel's height).
const rootStyle: CSSProperties = { display: 'flex', flexDirection: 'column', flex: '1 1 auto', minHeight: 0, gap: 6 };
const toolbarStyle: CSSProperties = { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8 };
const groupStyle: CSSProperties = { display: 'flex', gap: 8 };
const labelStyle: CSSProperties = { display: 'inline-flex', alignItems: 'center', gap: 4 };
const searchGroupStyle: CSSProperties = { display: 'inline-flex', flexWrap: 'nowrap', alignItems: 'center', gap: 8 };
const errorStyle: CSSProperties = { margin: 0, color: '#b00020' };
const outputStyle: CSSProperties = {
  flex: '1 1 0',
  // Bounded even when the parent gives no height: a virtual list must never grow to its content.
  minHeight: 'min(480px, 60vh)',
  overflow: 'auto',
  position: 'relative',
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  fontSize: 12,
  background: 'var(--log-bg, #ffffff)',
  color: 'var(--log-fg, #1e1e1e)',
  border: '1px solid #d0d7de',
  borderRadius: 4,
  outlineOffset: -2,
};
