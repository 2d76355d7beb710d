// Moving the selection with the arrow keys: down/up follow the data edges (to the consumer or producer
// closest in x), left/right go to the nearest box beside the current one.

import type { LayoutResult } from '../../../workers/layout-api';
import type { Box } from './flow-elements';

export type Direction = 'up' | 'down' | 'left' | 'right';

const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

export function nextUnit(
  layout: LayoutResult,
  boxes: Map<string, Box>,
  current: string | null,
  direction: Direction,
): string | null {
  const candidates = layout.units.filter((unit) => unit.kind !== 'container');
  if (!candidates.length) return null;
  const from = current ? boxes.get(current) : undefined;
  if (!current || !from) return candidates[0].id;
  const here = centre(from);

  const nearest = (ids: string[], score: (x: number, y: number) => number): string | null => {
    let best: string | null = null;
    let bestScore = Infinity;
    for (const id of ids) {
      const box = boxes.get(id);
      if (!box || id === current) continue;
      const { x, y } = centre(box);
      const value = score(x, y);
      if (value < bestScore) {
        bestScore = value;
        best = id;
      }
    }
    return best;
  };

  const ids = candidates.map((unit) => unit.id);
  if (direction === 'down' || direction === 'up') {
    const linked = layout.edges
      .filter((edge) => (direction === 'down' ? edge.source === current : edge.target === current))
      .map((edge) => (direction === 'down' ? edge.target : edge.source));
    const viaEdge = nearest(linked, (x) => Math.abs(x - here.x));
    if (viaEdge) return viaEdge;
    const sign = direction === 'down' ? 1 : -1;
    return nearest(ids, (x, y) => ((y - here.y) * sign > 1 ? Math.abs(y - here.y) + 2 * Math.abs(x - here.x) : Infinity));
  }
  const sign = direction === 'right' ? 1 : -1;
  return nearest(ids, (x, y) => ((x - here.x) * sign > 1 ? Math.abs(x - here.x) + 4 * Math.abs(y - here.y) : Infinity));
}
