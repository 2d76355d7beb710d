import { describe, expect, it } from 'vitest';
import { convertFloat32BytesToFloat16, float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToFloat16, float32ToFloat16Bits, roundThroughFloat16 } from './fp16';

describe('float16 conversion', () => {
  it('round-trips every float16 bit pattern exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = float16BitsToFloat32(h);
      if (Number.isNaN(x)) continue;
      expect(float32ToFloat16Bits(x)).toBe(h);
    }
  });

  it('rounds to nearest even', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and next: ties to even (1)
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up to infinity without clamping
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // exactly half the smallest subnormal: ties to even (0)
    expect(float32ToFloat16Bits(3 * 2 ** -26)).toBe(1);
  });

  it('clamps finite values beyond the range and counts them, keeps infinities', () => {
    const input = new Float32Array([1e6, -1e6, Infinity, 1e-9, 0, 0.5]);
    const stats = { clamped: 0, flushed: 0 };
    const out = new Uint16Array(convertFloat32BytesToFloat16(new Uint8Array(input.buffer), stats).buffer);
    expect(Array.from(out, float16BitsToFloat32)).toEqual([65504, -65504, Infinity, 0, 0, 0.5]);
    expect(stats).toEqual({ clamped: 2, flushed: 1 });
  });

  it('simulates storage rounding', () => {
    expect(roundThroughFloat16(0.1)).toBeCloseTo(0.0999755859375, 12);
    expect(roundThroughFloat16(1e9)).toBe(65504);
  });
});

describe('float16ArrayToFloat32 / float32ArrayToFloat16', () => {
  it('convert whole arrays element by element, as the scalar codec does', () => {
    const values = [0, -0, 1, -2.5, 65504, 1e-8, 70000, Number.NaN, Infinity];
    const bits = float32ArrayToFloat16(values);
    expect([...bits]).toEqual(values.map(float32ToFloat16Bits));
    const back = float16ArrayToFloat32(bits);
    expect(back).toBeInstanceOf(Float32Array);
    expect([...back]).toEqual([...bits].map((b) => Math.fround(float16BitsToFloat32(b))));
  });
});
