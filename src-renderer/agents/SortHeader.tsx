/**
 * The list's column headings. The sortable ones are buttons inside a
 * columnheader carrying aria-sort: a click sorts by that column, a second
 * flips the direction (list-sort.ts).
 */
import { nextSort, type ListSort, type SortKey } from './list-sort';

interface SortHeaderProps {
  sort: ListSort;
  onSort: (sort: ListSort) => void;
}

export function SortHeader({ sort, onSort }: SortHeaderProps) {
  const heading = (key: SortKey, label: string, className: string) => {
    const current = sort.key === key;
    return (
      <span role="columnheader" className={`cell ${className}`} aria-sort={current ? sort.direction : 'none'}>
        <button type="button" className={`sort-button${current ? ' is-sorted' : ''}`} onClick={() => onSort(nextSort(sort, key))}>
          {label}
          <span className="sort-arrow" aria-hidden="true">
            {current ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
          </span>
        </button>
      </span>
    );
  };
  return (
    <div className="list-header" role="row" aria-label="Sort agents">
      {heading('name', 'Agent', 'cell-name')}
      <span className="cell cell-type" aria-hidden="true">
        Type / model
      </span>
      {heading('runtime', 'Runtime', 'cell-runtime num')}
      {heading('cpu', 'CPU', 'cell-metric')}
      {heading('memory', 'Memory', 'cell-metric')}
      <span className="cell cell-progress" aria-hidden="true">
        Progress
      </span>
      {heading('state', 'State', 'cell-state')}
    </div>
  );
}
