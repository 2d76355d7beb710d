import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32BitsToFloat16Bits, float32ToFloat16Bits } from '../tensor/half';
import { convertFloat32BytesToFloat16, countFloat16Loss } from './fp16';

describe('convertFloat32BytesToFloat16', () => {
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

  it('reads unaligned views (initializers are views into the file)', () => {
    const input = new Float32Array([1, -2, 3.5]);
    const padded = new Uint8Array(13);
    padded.set(new Uint8Array(input.buffer), 1);
    const stats = { clamped: 0, raised: 0 };
    const out = new Uint16Array(convertFloat32BytesToFloat16(padded.subarray(1), stats).buffer);
    expect(Array.from(out, float16BitsToFloat32)).toEqual([1, -2, 3.5]);
  });

  it('stores values rounded, clamped to +-65504 and raised to +-2^-24 instead of 0', () => {
    const stats = { clamped: 0, raised: 0 };
    const input = new Float32Array([0.1, 1e9, 1e-12, -1e-12, 0]);
    const out = new Uint16Array(convertFloat32BytesToFloat16(new Uint8Array(input.buffer), stats).buffer);
    const stored = Array.from(out, float16BitsToFloat32);
    expect(stored[0]).toBeCloseTo(0.0999755859375, 12);
    expect(stored.slice(1)).toEqual([65504, 2 ** -24, -(2 ** -24), 0]);
    expect(stats).toEqual({ clamped: 1, raised: 2 });
  });
});

describe('convertFloat32BytesToFloat16 on unaligned views (weights inside a file)', () => {
  it('gives the same bytes and counts as an aligned copy, across several bounce-buffer passes', () => {
    const n = (1 << 14) * 2 + 123;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = i % 5 === 0 ? 1e6 * Math.sin(i) : i % 7 === 0 ? 1e-9 * Math.cos(i) : Math.sin(i);
    const file = new Uint8Array(n * 4 + 3);
    file.set(new Uint8Array(values.buffer), 3);
    const unaligned = file.subarray(3, 3 + n * 4);
    const a = { clamped: 0, raised: 0 };
    const b = { clamped: 0, raised: 0 };
    const fromUnaligned = convertFloat32BytesToFloat16(unaligned, a);
    const fromAligned = convertFloat32BytesToFloat16(new Uint8Array(values.buffer), b);
    expect(Buffer.from(fromUnaligned).equals(Buffer.from(fromAligned))).toBe(true);
    expect(a).toEqual(b);
    expect(a.clamped).toBeGreaterThan(0);
    expect(a.raised).toBeGreaterThan(0);
  });
});

describe('convertFloat32BytesToFloat16 against the scalar rule, element by element', () => {
  // The scalar definition of a stored weight's bits: clamp beyond +-65504, round (tensor/half.ts), raise a
  // nonzero that rounded to zero. The array form's fast path for normal halves (two per step) must agree
  // with it on every float32 bit pattern around every half, its ties and the range edges.
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const scalarBits = (bits: number): number => {
    const a = bits & 0x7fffffff;
    if (a > 0x477fe000 && a < 0x7f800000) return ((bits >>> 16) & 0x8000) | 0x7bff;
    const h = float32BitsToFloat16Bits(bits);
    return (h & 0x7fff) === 0 && a !== 0 ? h | 1 : h;
  };
  const patterns = (): Uint32Array => {
    const out: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      f32[0] = float16BitsToFloat32(h);
      const b = u32[0];
      out.push(b, (b + 1) >>> 0, (b - 1) >>> 0, (b + 0x1000) >>> 0, (b + 0xfff) >>> 0, (b + 0x1001) >>> 0);
    }
    for (const b of [0x38800000, 0x387fffff, 0x477fe000, 0x477fe001, 0x477fefff, 0x477ff000, 0x7f800000, 0x7fc00001, 0x33000000, 0x33000001, 0, 0x80000000, 1]) out.push(b, (b | 0x80000000) >>> 0);
    return new Uint32Array(out);
  };

  it('gives the scalar bits and counts for every edge pattern, aligned, odd-length and unaligned', () => {
    const bits = patterns();
    const expected = Array.from(bits, scalarBits);
    let clamped = 0;
    let raised = 0;
    for (const b of bits) {
      const a = b & 0x7fffffff;
      if (a > 0x477fe000 && a < 0x7f800000) clamped++;
      else if ((float32BitsToFloat16Bits(b) & 0x7fff) === 0 && a !== 0) raised++;
    }
    for (const length of [bits.length, bits.length - 1]) {
      const source = new Uint8Array(bits.buffer, 0, length * 4);
      const stats = { clamped: 0, raised: 0 };
      expect([...new Uint16Array(convertFloat32BytesToFloat16(source, stats).buffer)]).toEqual(expected.slice(0, length));
      if (length === bits.length) expect(stats).toEqual({ clamped, raised });
      const file = new Uint8Array(length * 4 + 1);
      file.set(source, 1);
      const viaBounce = { clamped: 0, raised: 0 };
      expect([...new Uint16Array(convertFloat32BytesToFloat16(file.subarray(1), viaBounce).buffer)]).toEqual(expected.slice(0, length));
      if (length === bits.length) expect(viaBounce).toEqual({ clamped, raised });
    }
  });

  it('gives the same bytes and counts for tiny tensors (the element-wise path) as for one large tensor', () => {
    // Constant scalars and short vectors (1..16 elements) skip the SIMD kernel; cut every edge pattern into
    // such pieces, at odd byte offsets too, and check they add up to the large tensor's bytes and counts.
    const bits = patterns();
    const whole = { clamped: 0, raised: 0 };
    const expected = new Uint8Array(convertFloat32BytesToFloat16(new Uint8Array(bits.buffer), whole).buffer);
    expect(whole.clamped).toBeGreaterThan(0);
    expect(whole.raised).toBeGreaterThan(0);
    for (const offset of [0, 1, 3]) {
      const file = new Uint8Array(bits.byteLength + offset);
      file.set(new Uint8Array(bits.buffer), offset);
      const pieces = { clamped: 0, raised: 0 };
      const counted = { clamped: 0, raised: 0 };
      const got = new Uint8Array(bits.length * 2);
      for (let at = 0, size = 1; at < bits.length; at += size, size = (size % 16) + 1) {
        const n = Math.min(size, bits.length - at);
        const piece = file.subarray(offset + at * 4, offset + (at + n) * 4);
        got.set(convertFloat32BytesToFloat16(piece, pieces), at * 2);
        countFloat16Loss(piece, counted);
      }
      expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
      expect(pieces).toEqual(whole);
      expect(counted).toEqual(whole);
    }
  });
});
