/**
 * The Agents tree: virtualised (only the rows in view exist in the DOM, so 100
 * or 1 000 agents cost the same per tick), keyboard-driven per the WAI-ARIA
 * tree pattern with aria-activedescendant (focus stays on the tree itself,
 * which survives rows being recycled by the virtualiser).
 *
 * Selection (the keyboard cursor) and the opened agent (shown in the detail
 * panel) are separate: arrows move the selection, Enter or a click opens.
 * The multi-selection (Shift/Ctrl/⌘ click, Ctrl/⌘+A; Escape clears) is what
 * the bulk actions apply to; plain arrows and clicks go back to one row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import type { CorralStore } from '../state/corral-store';
import { ROW_HEIGHT, rowDomId, StoreAgentRow } from './AgentRow';
import type { TreeRow } from './agent-tree-model';
import type { PickMode } from './multi-select';

interface AgentListProps {
  /** Each row reads its agent from here (StoreAgentRow). */
  store: CorralStore;
  rows: TreeRow[];
  selectedId: string | null;
  openedId: string | null;
  /** The multi-selection (empty: the cursor alone is selected). */
  marked: ReadonlySet<string>;
  onSelect: (agentId: string) => void;
  onOpen: (agentId: string) => void;
  /** A Shift or Ctrl/⌘ click on a row. */
  onPick: (agentId: string, mode: Exclude<PickMode, 'single'>) => void;
  onMarkAll: () => void;
  onClearMarks: () => void;
  onToggle: (agentId: string) => void;
  onExpand: (agentId: string, expanded: boolean) => void;
  onRequestStop: (agentId: string) => void;
}

export function AgentList({
  store,
  rows,
  selectedId,
  openedId,
  marked,
  onSelect,
  onOpen,
  onPick,
  onMarkAll,
  onClearMarks,
  onToggle,
  onExpand,
  onRequestStop,
}: AgentListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 4,
    getItemKey: (index) => rows[index]?.agentId ?? index,
  });

  const selectedIndex = selectedId === null ? -1 : rows.findIndex((row) => row.agentId === selectedId);

  // Keep the selected row in view when it moves (keyboard, or a new agent selected after spawn).
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const activate = useCallback(
    (agentId: string, mode: PickMode) => {
      if (mode !== 'single') {
        onPick(agentId, mode);
        return;
      }
      onSelect(agentId);
      onOpen(agentId);
    },
    [onSelect, onOpen, onPick],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      onMarkAll();
      return;
    }
    if (event.key === 'Escape' && marked.size > 0) {
      event.preventDefault();
      onClearMarks();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const current = selectedIndex >= 0 ? rows[selectedIndex] : undefined;
    const moveTo = (index: number) => {
      const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
      if (row !== undefined) onSelect(row.agentId);
    };
    switch (event.key) {
      case 'ArrowDown':
        moveTo(current === undefined ? 0 : selectedIndex + 1);
        break;
      case 'ArrowUp':
        moveTo(current === undefined ? rows.length - 1 : selectedIndex - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowRight':
        if (current === undefined) return;
        if (current.expanded === false) onExpand(current.agentId, true);
        else if (current.expanded === true) moveTo(selectedIndex + 1);
        break;
      case 'ArrowLeft':
        if (current === undefined) return;
        if (current.expanded === true) onExpand(current.agentId, false);
        else if (current.parentId !== null) onSelect(current.parentId);
        break;
      case 'Enter':
      case ' ':
        if (current === undefined) return;
        onOpen(current.agentId);
        break;
      case 'Delete':
      case 'Backspace':
        if (current === undefined) return;
        onRequestStop(current.agentId);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const items = virtualizer.getVirtualItems();
  return (
    <div
      ref={scrollRef}
      className="agent-tree"
      role="tree"
      aria-label="Agents"
      aria-multiselectable="true"
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 && selectedId !== null ? rowDomId(selectedId) : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => {
        // Focusing the tree with nothing selected puts the cursor on the first row.
        if (selectedIndex < 0 && rows[0] !== undefined) onSelect(rows[0].agentId);
      }}
    >
      <div className="agent-tree-sizer" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows[item.index];
          if (row === undefined) return null;
          return (
            <StoreAgentRow
              key={row.agentId}
              agentId={row.agentId}
              row={row}
              store={store}
              selected={marked.size > 0 ? marked.has(row.agentId) : row.agentId === selectedId}
              cursor={row.agentId === selectedId}
              opened={row.agentId === openedId}
              top={item.start}
              onActivate={activate}
              onToggle={onToggle}
            />
          );
        })}
      </div>
    </div>
  );
}
