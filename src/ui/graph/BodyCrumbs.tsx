// Where the view is inside If/Loop/Scan bodies: "model › If_0 · then_branch › ...". Each crumb but the
// last goes back to that level, closing the bodies inside it and centring on the node that owns them.

import { useMemo } from 'react';
import { useApp } from '../store';
import { bodyCrumbs, leaveBodies } from './body-actions';

export function BodyCrumbs() {
  const model = useApp((state) => state.model);
  const expanded = useApp((state) => state.expanded);
  const selectedUnit = useApp((state) => state.selectedUnit);
  const layout = useApp((state) => state.layout);
  const crumbs = useMemo(() => {
    if (!model?.summary.bodies?.length) return [];
    const unit = layout?.units.find((entry) => entry.id === selectedUnit);
    const selectedScope = unit?.kind === 'op' && unit.nodeIndex !== undefined ? model.summary.nodes[unit.nodeIndex]?.path ?? null : unit?.scopeId ?? null;
    return bodyCrumbs(model.summary.bodies, expanded, selectedScope, (index) => {
      const node = model.summary.nodes[index];
      return node ? node.name || node.opType : '?';
    });
  }, [model, expanded, selectedUnit, layout]);
  if (!crumbs.length) return null;
  return (
    <nav className="body-crumbs" aria-label="Bodies entered" data-testid="body-crumbs">
      {crumbs.map((crumb, index) => {
        const last = index === crumbs.length - 1;
        return (
          <span key={crumb.scope || 'model'}>
            {index > 0 && <span className="muted"> › </span>}
            {last ? (
              <span className="mono" aria-current="location">
                {crumb.label}
              </span>
            ) : (
              <button
                type="button"
                className="link mono"
                data-testid={`crumb-${index}`}
                title={index === 0 ? 'Back to the main graph' : `Back to ${crumb.label}`}
                onClick={() => leaveBodies(crumb.scope, crumbs[index + 1].parentNode)}
              >
                {crumb.label}
              </button>
            )}
          </span>
        );
      })}
    </nav>
  );
}
