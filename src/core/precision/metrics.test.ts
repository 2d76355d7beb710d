import { describe, expect, it } from 'vitest';
import { compareArrays, meetsTolerance, valueError, worstError } from './metrics';

describe('compareArrays', () => {
  it('reports max abs, max rel, cosine and new inf/NaN', () => {
    const c = compareArrays('y', [1, -2, 4, 0], [1.5, -2, Infinity, 0]);
    expect(c.maxAbs).toBeCloseTo(0.5);
    expect(c.maxRel).toBeCloseTo(0.5);
    expect(c.nonFinite).toBe(1);
    expect(c.scale).toBe(4); // the reference's largest magnitude, the overflowed element included
    expect(c.meanAbs).toBeCloseTo(0.5 / 3);
    // Relative error only where the reference is not negligible: 1e-9 vs 2e-9 is not a 100% error.
    expect(compareArrays('r', [1, 1e-9], [1, 2e-9]).maxRel).toBe(0);
    expect(compareArrays('z', [0, 0], [0, 0]).cosine).toBe(1);
    expect(compareArrays('w', [1, 2], [2, 4]).cosine).toBeCloseTo(1);
  });
});

describe('valueError', () => {
  it('measures relative L2 and counts values beyond fp16 range, ignoring reference infinities', () => {
    const e = valueError([3, 4, 70000, -Infinity], [3, 4, Infinity, -Infinity]);
    expect(e.overflow).toBe(1);
    expect(e.nonFinite).toBe(1);
    expect(e.refMaxAbs).toBe(70000);
    expect(valueError([3, 4], [3, 4.5]).relL2).toBeCloseTo(0.1);
  });
});

describe('tolerances', () => {
  const rows = [compareArrays('a', [1, 2], [1.01, 2]), compareArrays('b', [1, 2], [1, 2.002])];
  it('takes the worst output', () => {
    expect(worstError(rows, 'maxAbs')).toBeCloseTo(0.01);
    expect(meetsTolerance(rows, 'maxAbs', 0.02)).toBe(true);
    expect(meetsTolerance(rows, 'maxAbs', 0.005)).toBe(false);
    expect(meetsTolerance(rows, 'cosine', 0.999)).toBe(true);
    expect(worstError([compareArrays('c', [1], [NaN])], 'maxAbs')).toBe(Infinity);
  });
});
