// Above the canvas: search by name or op type, folded-node switch, legend.

import { useDeferredValue, useMemo, useState, type KeyboardEvent } from 'react';
import type { NodeSummary } from '../../core/index';
import { revealNode, setShowFolded } from '../actions/graph-view';
import { useApp } from '../store';

const MAX_RESULTS = 60;

function searchNodes(nodes: readonly NodeSummary[], lowerNames: readonly string[], query: string): NodeSummary[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const exactOp: NodeSummary[] = [];
  const byName: NodeSummary[] = [];
  for (let index = 0; index < nodes.length && exactOp.length < MAX_RESULTS; index++) {
    if (nodes[index].opType.toLowerCase() === needle) exactOp.push(nodes[index]);
    else if (byName.length < MAX_RESULTS && lowerNames[index].includes(needle)) byName.push(nodes[index]);
  }
  return [...exactOp, ...byName].slice(0, MAX_RESULTS);
}

function SearchBox() {
  const nodes = useApp((state) => state.model?.summary.nodes);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(query);
  const lowerNames = useMemo(() => (nodes ?? []).map((node) => node.name.toLowerCase()), [nodes]);
  const results = useMemo(() => (nodes ? searchNodes(nodes, lowerNames, deferred) : []), [nodes, lowerNames, deferred]);

  const choose = (node: NodeSummary | undefined) => {
    if (!node) return;
    setOpen(false);
    void revealNode(node.index);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((index) => Math.min(index + 1, results.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter') {
      // The list follows a deferred copy of the query; Enter must act on what was typed, even right away.
      const current = deferred === query ? results : nodes ? searchNodes(nodes, lowerNames, query) : [];
      choose(current[deferred === query ? active : 0]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  return (
    <div className="search">
      <input
        type="search"
        placeholder="Node or op type  /"
        title="Search nodes by name or op type (/)"
        aria-label="Search nodes by name or op type"
        data-testid="search"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {open && results.length > 0 && (
        <ul className="search-results" role="listbox" data-testid="search-results">
          {results.map((node, index) => (
            <li
              key={node.index}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(node);
              }}
            >
              <span className="mono">{node.opType}</span>
              <span className="name muted" title={node.name}>
                {node.name || `#${node.index}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Legend() {
  // The low side is drawn in one colour whichever low type the recipe chose; the legend names it.
  const low = useApp((state) => state.recipe.lowPrecision);
  return (
    <div className="legend" aria-label="Legend">
      <span>
        <i style={{ background: 'var(--fp16)' }} />
        {low}
      </span>
      <span>
        <i style={{ background: 'var(--fp32)' }} />
        fp32
      </span>
      <span>
        <i style={{ background: 'var(--mixed)' }} />
        mixed
      </span>
      <span>
        <i style={{ background: 'var(--none)' }} />
        non-float
      </span>
      <span>
        <i style={{ background: 'var(--cast)' }} />
        Cast boundary
      </span>
    </div>
  );
}

export function GraphToolbar() {
  const showFolded = useApp((state) => state.showFolded);
  const unitCount = useApp((state) => state.layout?.units.length ?? 0);
  const nodeCount = useApp((state) => state.model?.summary.nodeCount ?? 0);
  return (
    <div className="graph-toolbar">
      <SearchBox />
      <label className="row" title="Constants, initializer-only and shape computations are folded away by default">
        <input type="checkbox" checked={showFolded} onChange={(event) => setShowFolded(event.target.checked)} />
        show folded
      </label>
      <span className="muted" data-testid="unit-count">
        {unitCount} boxes · {nodeCount.toLocaleString()} nodes
      </span>
      <span className="spacer" />
      <Legend />
    </div>
  );
}
