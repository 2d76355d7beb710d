// Entering and leaving If/Loop/Scan bodies. A body is a scope of the graph view (NodeSummary.path files
// its nodes under it), so entering opens its scopes next to the control-flow node and leaving closes them
// again; the breadcrumbs are the chain of open bodies around the current one.
import { isBodyScope } from '../../core/index';
import type { BodySummary } from '../../core/index';
import { focusUnit } from '../actions/graph-view';
import { useApp } from '../store';
import { containerUnitId, opUnitId } from '../../../workers/unit-ids';

/** Opens every body of an If/Loop/Scan node (an If's two branches side by side) and centres on the first. */
export function enterBodies(nodeIndex: number): void {
  const bodies = useApp.getState().model?.summary.bodies.filter((body) => body.parentNode === nodeIndex) ?? [];
  if (!bodies.length) return;
  useApp.setState((state) => ({ expanded: [...state.expanded, ...bodies.map((b) => b.scope).filter((id) => !state.expanded.includes(id))] }));
  focusUnit(containerUnitId(bodies[0].scope));
}

/**
 * Closes every open body inside `scope` ('' for the whole model: back to the main graph) and centres on
 * the node whose body was left.
 */
export function leaveBodies(scope: string, focusNode: number): void {
  useApp.setState((state) => ({ expanded: state.expanded.filter((id) => !(id.startsWith(scope) && isBodyScope(id.slice(scope.length)))) }));
  if (focusNode >= 0) focusUnit(opUnitId(focusNode));
}

export interface Crumb {
  /** The body's scope id; '' for the main graph. */
  scope: string;
  label: string;
  /** The If/Loop/Scan whose body this is (-1 for the main graph). */
  parentNode: number;
}

/**
 * The breadcrumbs: the main graph, then each open body from the outermost to the current one. The current
 * body is the innermost open body around the selection, else the body opened last.
 */
export function bodyCrumbs(bodies: readonly BodySummary[], expanded: readonly string[], selectedScope: string | null, nodeName: (index: number) => string): Crumb[] {
  const open = bodies.filter((body) => expanded.includes(body.scope));
  if (!open.length) return [];
  const around = selectedScope ? open.filter((body) => selectedScope.startsWith(body.scope)) : [];
  const current = around.length
    ? around.reduce((a, b) => (b.scope.length > a.scope.length ? b : a))
    : open.find((body) => body.scope === [...expanded].reverse().find((id) => open.some((b) => b.scope === id)));
  if (!current) return [];
  const chain = open.filter((body) => current.scope.startsWith(body.scope)).sort((a, b) => a.scope.length - b.scope.length);
  return [
    { scope: '', label: 'model', parentNode: -1 },
    ...chain.map((body) => ({ scope: body.scope, label: `${nodeName(body.parentNode)} · ${body.attribute}`, parentNode: body.parentNode })),
  ];
}
