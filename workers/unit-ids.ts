// Ids of the graph view's units and edges: the layout worker makes them, the page selects, focuses and
// decorates by them. The one place that knows their spelling, so the two sides cannot drift apart.

/** A closed scope drawn as one box. */
export function groupUnitId(scopeId: string): string {
  return `g:${scopeId}`;
}

/** The frame around an open scope's contents. */
export function containerUnitId(scopeId: string): string {
  return `c:${scopeId}`;
}

/** One node of the main graph, by its index in the model's node order. */
export function opUnitId(node: number): string {
  return `n:${node}`;
}

export function inputUnitId(name: string): string {
  return `in:${name}`;
}

export function outputUnitId(name: string): string {
  return `out:${name}`;
}

/** The merged edge between two drawn units. */
export function edgeId(sourceUnit: string, targetUnit: string): string {
  return `e:${sourceUnit}>${targetUnit}`;
}

/** The node index of an op unit's id; null for every other unit (and for no id). */
export function nodeOfUnitId(unitId: string | null | undefined): number | null {
  if (!unitId?.startsWith('n:')) return null;
  const text = unitId.slice(2);
  return /^\d+$/.test(text) ? Number(text) : null;
}
