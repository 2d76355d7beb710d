import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-inputs';
import { describeSpeedup, median, pairedSpeedup, runStats } from './run-stats';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('pairedSpeedup', () => {
  it('is the median of per-round ratios, so a drift shared by both models cancels', () => {
    // both models slow down 3x over the run; the model is always 10% faster than the baseline
    const baseline = [1, 2, 3].map((k) => [10 * k, 10 * k, 10 * k]);
    const model = [1, 2, 3].map((k) => [9 * k, 9 * k, 9 * k]);
    const p = pairedSpeedup(model, baseline);
    expect(p.speedup).toBeCloseTo(10 / 9, 12);
    expect(p.ci95[0]).toBeCloseTo(10 / 9, 12);
    expect(p.ci95[1]).toBeCloseTo(10 / 9, 12);
    expect(p.roundsFaster).toBe(3);
    expect(p.rounds).toBe(3);
  });

  it('gives an interval that contains the truth for noisy equal models and excludes 1 for a real 5% gain', () => {
    const random = seededRandom(7);
    const noisy = (scale: number) => Array.from({ length: 30 }, () => Array.from({ length: 5 }, () => scale * (1 + 0.2 * random())));
    const a = noisy(1);
    const b = noisy(1);
    const same = pairedSpeedup(a, b);
    expect(same.ci95[0]).toBeLessThan(1);
    expect(same.ci95[1]).toBeGreaterThan(1);
    expect(same.ci95[0]).toBeLessThanOrEqual(same.speedup);
    expect(same.ci95[1]).toBeGreaterThanOrEqual(same.speedup);
    const faster = pairedSpeedup(noisy(1 / 1.05), noisy(1));
    expect(faster.ci95[0]).toBeGreaterThan(1);
    expect(faster.speedup).toBeGreaterThan(1.02);
    expect(faster.speedup).toBeLessThan(1.08);
  });

  it('is deterministic and skips rounds without times', () => {
    const a = [[1], [], [1.2], [0.9]];
    const b = [[1.1], [1], [1.1], [1]];
    expect(pairedSpeedup(a, b)).toEqual(pairedSpeedup(a, b));
    expect(pairedSpeedup(a, b).rounds).toBe(3);
    expect(pairedSpeedup([], []).rounds).toBe(0);
    expect(describeSpeedup(pairedSpeedup([], []))).toBe('-');
    expect(describeSpeedup(pairedSpeedup(a, b))).toMatch(/^1\.\d{3}x \(95% CI [\d.]+-[\d.]+\), faster in 2\/3 rounds$/);
  });
});

describe('runStats', () => {
  it('gives median, nearest-rank p90, min, max and mean', () => {
    expect(runStats([5, 1, 3, 2, 4])).toEqual({ runs: 5, median: 3, p90: 5, min: 1, max: 5, mean: 3 });
    const ten = runStats([10, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ten.median).toBe(5.5);
    expect(ten.p90).toBe(9);
    expect(runStats([]).runs).toBe(0);
    expect(runStats([]).median).toBeNaN();
  });
});
