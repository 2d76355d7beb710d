// What the user does in the graph view: select and centre units, open and close scopes, show folded nodes.
// The layout follows `expanded` and `showFolded` through the store (effects.ts).

import { containerUnitId, groupUnitId, opUnitId } from '../../../workers/unit-ids';
import { useApp } from '../store';
import { layoutClient } from '../workers';
import { showError } from './notice';

export function selectUnit(unitId: string | null): void {
  useApp.setState({ selectedUnit: unitId });
}

export function focusUnit(unitId: string): void {
  useApp.setState((state) => ({ selectedUnit: unitId, focus: { unitId, seq: (state.focus?.seq ?? 0) + 1 } }));
}

/** Opens a closed scope and keeps the view on it once the new layout lands. */
export function expandScope(scopeId: string): void {
  if (useApp.getState().expanded.includes(scopeId)) return;
  useApp.setState((state) => ({ expanded: [...state.expanded, scopeId] }));
  focusUnit(containerUnitId(scopeId));
}

export async function collapseScope(scopeId: string): Promise<void> {
  const scopes = await layoutClient().descendantScopes(scopeId);
  if (!scopes.ok) return showError('The scope could not be collapsed', scopes.error);
  const inside = new Set(scopes.value);
  useApp.setState((state) => ({ expanded: state.expanded.filter((id) => !inside.has(id)) }));
  focusUnit(groupUnitId(scopeId));
}

export function setShowFolded(showFolded: boolean): void {
  useApp.setState({ showFolded });
}

/** Opens the scopes around a node (and shows folded nodes if it is one), then centres the view on it. */
export async function revealNode(nodeIndex: number): Promise<void> {
  const { model } = useApp.getState();
  if (!model) return;
  const found = await layoutClient().revealPath(nodeIndex);
  if (!found.ok) return showError('The node could not be shown', found.error);
  const path = found.value;
  const foldable = model.summary.nodes[nodeIndex]?.foldable ?? false;
  useApp.setState((state) => {
    const missing = path.filter((id) => !state.expanded.includes(id));
    return {
      expanded: missing.length ? [...state.expanded, ...missing] : state.expanded,
      showFolded: state.showFolded || foldable,
    };
  });
  focusUnit(opUnitId(nodeIndex));
}
