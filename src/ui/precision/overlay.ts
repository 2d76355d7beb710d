// The graph's per-node error overlay: a selector the graph view calls per drawn node. Levels come from the
// last preview (0: no measurable added error ... 4: adds 1e-2 or more, relative L2).

import { usePrecision } from './store';

/** Overlay level of a graph unit ("n:<node index>"); 0 for other units or before any preview. */
export function useNodeErrorLevel(unitId: string): number {
  return usePrecision((state) => {
    if (!state.levels || !unitId.startsWith('n:')) return 0;
    return state.levels[Number(unitId.slice(2))] ?? 0;
  });
}
