// The optimum the planner must reach, by exhaustion: every assignment of the free groups is tried with the
// recipe's fixed ones, and the cheapest Cast count (one per value and target type) wins. The property tests
// for plain graphs and for If/Loop/Scan models share it, so both check the planner against one rule of
// which groups a recipe fixes.
import type { Recipe } from '../api';
import { assignmentCost, FIXED_FP16, FIXED_FP32, FREE, type GroupStatus } from '../plan/cut-problem';
import type { PlanningProblem } from '../plan/constraints';
import { makeBlockMatcher } from '../recipe';

export interface BruteForceResult {
  /** The fewest Casts over every assignment of the free groups. */
  best: number;
  /** How many groups were free (2^free assignments were tried). */
  freeGroups: number;
}

/** Fewest Casts for `recipe` on `problem`, unit weights; `maxFree` guards against an exhaustive search too large to run. */
export function bruteForceCasts(problem: PlanningProblem, recipe: Recipe, maxFree: number): BruteForceResult {
  const matcher = makeBlockMatcher(recipe);
  const bf16 = recipe.lowPrecision === 'bf16';
  const status: GroupStatus[] = problem.groups.map((g) => {
    if (g.cls === 'spec-fp32' || (bf16 && !g.allowsBfloat16)) return FIXED_FP32;
    if (g.cls === 'graph-input' || g.cls === 'graph-output') return recipe.keepIoTypes ? FIXED_FP32 : FREE;
    if (matcher(g.opType, g.nodeName)) return FIXED_FP32;
    return g.cls === 'free' ? FREE : FIXED_FP16;
  });
  const free = status.flatMap((s, i) => (s === FREE ? [i] : []));
  if (free.length > maxFree) return { best: NaN, freeGroups: free.length };
  const fp16 = Uint8Array.from(status, (s) => (s === FIXED_FP16 ? 1 : 0));
  const weights = new Float64Array(problem.values.length).fill(1);
  let best = Infinity;
  for (let mask = 0; mask < 1 << free.length; mask++) {
    free.forEach((g, bit) => (fp16[g] = (mask >> bit) & 1));
    best = Math.min(best, assignmentCost(problem.topology, weights, fp16));
  }
  return { best, freeGroups: free.length };
}
