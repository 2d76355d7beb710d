import { describe, expect, it } from 'vitest';
import { MinCutPlanner } from './min-cut';
import { seededRandom } from '../tensor/seeded-inputs';
import { FIXED_FP16, FIXED_FP32, FREE, assignmentCost, type CutTopology, type GroupStatus } from './cut-problem';

function randomProblem(seed: number) {
  const random = seededRandom(seed);
  const groupCount = 2 + Math.floor(random() * 9);
  const values: CutTopology['values'] = [];
  const valueCount = Math.floor(random() * 14);
  for (let i = 0; i < valueCount; i++) {
    const producer = Math.floor(random() * groupCount);
    const consumers = new Set<number>();
    const k = 1 + Math.floor(random() * 3);
    for (let j = 0; j < k; j++) {
      const c = Math.floor(random() * groupCount);
      if (c !== producer) consumers.add(c);
    }
    if (consumers.size > 0) values.push({ producer, consumers: [...consumers].sort((a, b) => a - b) });
  }
  const status = Array.from({ length: groupCount }, () => {
    const r = random();
    return (r < 0.25 ? FIXED_FP32 : r < 0.5 ? FIXED_FP16 : FREE) as GroupStatus;
  });
  const unitWeights = random() < 0.5;
  const weights = Float64Array.from(values, () => (unitWeights ? 1 : 1 + Math.floor(random() * 50)));
  return { topology: { groupCount, values }, status, weights };
}

/** Tries every assignment of the free groups; returns the optimum cost. */
function bruteForce(topology: CutTopology, status: GroupStatus[], weights: Float64Array, fp32Cost?: Float64Array): number {
  const free = status.map((s, i) => (s === FREE ? i : -1)).filter((i) => i >= 0);
  let best = Infinity;
  const fp16 = Uint8Array.from(status, (s) => (s === FIXED_FP16 ? 1 : 0));
  for (let mask = 0; mask < 1 << free.length; mask++) {
    free.forEach((g, bit) => (fp16[g] = (mask >> bit) & 1));
    best = Math.min(best, assignmentCost(topology, weights, fp16, fp32Cost));
  }
  return best;
}

describe('MinCutPlanner', () => {
  it('hits the brute-force optimum on 5,000 random small graphs', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const { topology, status, weights } = randomProblem(seed);
      const planner = new MinCutPlanner(topology);
      const result = planner.solve(status, weights);
      const optimum = bruteForce(topology, status, weights);
      // The cut value is the optimum, and the assignment it returns really costs that much.
      expect(result.cost, `seed ${seed}`).toBe(optimum);
      expect(assignmentCost(topology, weights, result.fp16), `seed ${seed}`).toBe(optimum);
      status.forEach((s, g) => {
        if (s === FIXED_FP32) expect(result.fp16[g], `seed ${seed} group ${g}`).toBe(0);
        if (s === FIXED_FP16) expect(result.fp16[g], `seed ${seed} group ${g}`).toBe(1);
      });
    }
  });

  it('hits the brute-force optimum with an fp32 cost on some free groups (graph outputs\' host copy)', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const { topology, status, weights } = randomProblem(seed);
      const random = seededRandom(seed + 7919);
      const fp32Cost = Float64Array.from(status, (s) => (s === FREE && random() < 0.5 ? Math.floor(random() * 60) : 0));
      const result = new MinCutPlanner(topology).solve(status, weights, fp32Cost);
      const optimum = bruteForce(topology, status, weights, fp32Cost);
      expect(result.cost, `seed ${seed}`).toBe(optimum);
      expect(assignmentCost(topology, weights, result.fp16, fp32Cost), `seed ${seed}`).toBe(optimum);
    }
  });

  it('prefers fp16 among optimal cuts', () => {
    // fp32 -> free -> fp16 chain with equal weights: either placement of the free group costs 1.
    const topology = { groupCount: 3, values: [{ producer: 0, consumers: [1] }, { producer: 1, consumers: [2] }] };
    const result = new MinCutPlanner(topology).solve([FIXED_FP32, FREE, FIXED_FP16], Float64Array.of(1, 1));
    expect(result.cost).toBe(1);
    expect(Array.from(result.fp16)).toEqual([0, 1, 1]);
  });

  it('pays one cast for a value read by many groups of the other precision', () => {
    const topology = { groupCount: 4, values: [{ producer: 0, consumers: [1, 2, 3] }] };
    const result = new MinCutPlanner(topology).solve([FIXED_FP32, FIXED_FP16, FIXED_FP16, FIXED_FP16], Float64Array.of(1));
    expect(result.cost).toBe(1);
  });

  it('re-solves the same network with new statuses', () => {
    const topology = { groupCount: 3, values: [{ producer: 0, consumers: [1, 2] }] };
    const planner = new MinCutPlanner(topology);
    expect(planner.solve([FIXED_FP32, FIXED_FP16, FREE], Float64Array.of(1)).cost).toBe(1);
    expect(planner.solve([FIXED_FP32, FIXED_FP32, FIXED_FP32], Float64Array.of(1)).cost).toBe(0);
    expect(planner.solve([FIXED_FP16, FIXED_FP32, FIXED_FP16], Float64Array.of(7)).cost).toBe(7);
  });
});
