import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../api';
import { compareArrays } from './metrics';
import { nodeNeighbours, suggestBlockList } from './suggest';

// A synthetic model: node i adds error e[i] when it is not blocked; Casts = 2 per maximal run of blocked
// nodes in a chain (entering and leaving fp32).
const errorsOf = [0.004, 0.0001, 0.003, 0.0002, 0.002, 0.0001, 0.0001, 0.0005];
const names = errorsOf.map((_, i) => `n${i}`);
const chain = names.map((name, i) => ({ name, inputs: [`v${i}`], outputs: [`v${i + 1}`] }));

function evaluate(recipe: Recipe) {
  const blocked = new Set(recipe.nodeBlockList);
  const error = errorsOf.reduce((sum, e, i) => sum + (blocked.has(names[i]) ? 0 : e), 0);
  return Promise.resolve([compareArrays('y', [1], [1 + error])]);
}

function castCount(recipe: Recipe): number {
  const blocked = names.map((n) => recipe.nodeBlockList.includes(n));
  let runs = 0;
  blocked.forEach((b, i) => {
    if (b && !blocked[i - 1]) runs++;
  });
  return 2 * runs;
}

describe('suggestBlockList', () => {
  const ranked = names.map((n, i) => ({ n, e: errorsOf[i] })).sort((a, b) => b.e - a.e).map((x) => x.n);

  it('meets the tolerance with a short prefix of the ranking, in few runs', async () => {
    const result = await suggestBlockList({ base: DEFAULT_RECIPE, metric: 'maxAbs', tolerance: 0.005, ranked, evaluate, castCount, neighbours: nodeNeighbours(chain) });
    expect(result.meets).toBe(true);
    expect(result.error).toBeLessThanOrEqual(0.005);
    expect(result.baseError).toBeGreaterThan(0.005);
    // n0 and n2 (0.007 of 0.0119) suffice; blocking n1 between them too saves two Casts.
    expect(result.added.sort()).toEqual(['n0', 'n1', 'n2']);
    expect(result.castCount).toBe(2);
    expect(result.evaluations).toBeLessThanOrEqual(8);
  });

  it('returns the base list when it already meets the tolerance, and says when nothing can', async () => {
    const easy = await suggestBlockList({ base: DEFAULT_RECIPE, metric: 'maxAbs', tolerance: 1, ranked, evaluate, castCount, neighbours: () => [] });
    expect(easy.added).toEqual([]);
    expect(easy.meets).toBe(true);
    const hard = await suggestBlockList({ base: DEFAULT_RECIPE, metric: 'maxAbs', tolerance: 1e-9, ranked: ranked.slice(0, 2), evaluate, castCount, neighbours: () => [] });
    expect(hard.meets).toBe(false);
  });
});
