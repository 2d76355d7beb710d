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
    const input = new Float32Array([1e6, -1e6, Infinity, 0, 0.5]);
    const stats = { clamped: 0, raised: 0 };
    const out = new Uint16Array(convertFloat32BytesToFloat16(new Uint8Array(input.buffer), stats).buffer);
    expect(Array.from(out, float16BitsToFloat32)).toEqual([65504, -65504, Infinity, 0, 0.5]);
    expect(stats).toEqual({ clamped: 2, raised: 0 });
  });

  it('raises nonzero values that would round to 0 to +-2^-24 with their sign, as onnxruntime does', () => {
    // 1e-12 is BERT's layer_norm_eps; 2^-25 is exactly half the smallest subnormal (ties to even: 0);
    // 4e-8 already rounds to 2^-24 and is not counted; -0 and 0 stay zeros.
    const input = new Float32Array([1e-12, -1e-12, 2 ** -25, 4e-8, -0, 0, 1e-45]);
    const stats = { clamped: 0, raised: 0 };
    const out = new Uint16Array(convertFloat32BytesToFloat16(new Uint8Array(input.buffer), stats).buffer);
    expect([...out]).toEqual([0x0001, 0x8001, 0x0001, 0x0001, 0x8000, 0x0000, 0x0001]);
    expect(float16BitsToFloat32(out[0])).toBe(2 ** -24);
    expect(stats).toEqual({ clamped: 0, raised: 4 });
  });

  it('gives what onnxruntime\'s convert_np_to_float16 gives: clamp to 5.96e-8 first, then round', () => {
    // Its rule: 0 < |x| < min_positive_val (5.96e-8) -> +-5.96e-8, which rounds to 2^-24. Ours gives the same
    // bits for every value below that bound and plain rounding above it.
    for (const x of [1e-30, 1e-9, 2.9e-8, 2.99e-8, 3e-8, 5e-8, 5.95e-8, 5.97e-8, 1e-7]) {
      const ort = float32ToFloat16Bits(Math.abs(x) < 5.96e-8 ? 5.96e-8 : x);
      const stats = { clamped: 0, raised: 0 };
      const ours = new Uint16Array(convertFloat32BytesToFloat16(new Uint8Array(new Float32Array([x]).buffer), stats).buffer)[0];
      expect(ours).toBe(ort);
    }
  });

  it('simulates storage rounding', () => {
    expect(roundThroughFloat16(0.1)).toBeCloseTo(0.0999755859375, 12);
    expect(roundThroughFloat16(1e9)).toBe(65504);
    expect(roundThroughFloat16(1e-12)).toBe(2 ** -24);
    expect(roundThroughFloat16(-1e-12)).toBe(-(2 ** -24));
    expect(roundThroughFloat16(0)).toBe(0);
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
