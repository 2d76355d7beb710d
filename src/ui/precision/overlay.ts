// The graph's per-node error overlay: a selector the graph view calls per drawn node. Levels come from the
// last preview (0: no measurable added error ... 4: adds 1e-2 or more, relative L2).

import { nodeOfUnitId } from '../../../workers/unit-ids';
import { usePrecision } from './store';

/** Overlay level of a graph unit (an op unit's node); 0 for other units or before any preview. */
export function useNodeErrorLevel(unitId: string): number {
  return usePrecision((state) => {
    const node = nodeOfUnitId(unitId);
    if (!state.levels || node === null) return 0;
    return state.levels[node] ?? 0;
  });
}
