import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32 } from '../tensor/half';
import { convertFloat32BytesToFloat16 } from './fp16';

describe('convertFloat32BytesToFloat16', () => {
  it('clamps finite values beyond the range and counts them, keeps infinities', () => {
    const input = new Float32Array([1e6, -1e6, Infinity, 1e-9, 0, 0.5]);
    const stats = { clamped: 0, flushed: 0 };
    const out = new Uint16Array(convertFloat32BytesToFloat16(new Uint8Array(input.buffer), stats).buffer);
    expect(Array.from(out, float16BitsToFloat32)).toEqual([65504, -65504, Infinity, 0, 0, 0.5]);
    expect(stats).toEqual({ clamped: 2, flushed: 1 });
  });

  it('reads unaligned views (initializers are views into the file)', () => {
    const input = new Float32Array([1, -2, 3.5]);
    const padded = new Uint8Array(13);
    padded.set(new Uint8Array(input.buffer), 1);
    const stats = { clamped: 0, flushed: 0 };
    const out = new Uint16Array(convertFloat32BytesToFloat16(padded.subarray(1), stats).buffer);
    expect(Array.from(out, float16BitsToFloat32)).toEqual([1, -2, 3.5]);
  });
});
