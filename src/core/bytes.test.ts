import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes';

describe('concatBytes', () => {
  it('joins pieces in order, plain number arrays and views into larger buffers alike', () => {
    const big = Uint8Array.from([9, 9, 1, 2, 9]);
    expect([...concatBytes([Uint8Array.from([0]), big.subarray(2, 4), [3, 4], new Uint8Array(0)])]).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives an empty array for no pieces', () => {
    expect(concatBytes([]).byteLength).toBe(0);
  });
});
