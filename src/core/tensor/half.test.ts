import { describe, expect, it } from 'vitest';
import { float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToFloat16, float32BitsToFloat16Bits, float32ToFloat16Bits } from './half';

// The codec as it was before the fast one (a straight transcription of IEEE rounding), kept as the oracle.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function referenceBits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return sign | h;
}

const floatOfBits = (bits: number) => {
  u32[0] = bits;
  return f32[0];
};

/** Every half, the float32 values just around it, and the ties halfway to its neighbours. */
function edgeFloats(): Float32Array {
  const out: number[] = [];
  for (let h = 0; h < 0x10000; h++) {
    const x = float16BitsToFloat32(h);
    f32[0] = x;
    const bits = u32[0];
    out.push(x, floatOfBits(bits + 1), floatOfBits(bits - 1));
    if (!Number.isFinite(x)) continue;
    const next = float16BitsToFloat32((h & 0x7fff) === 0x7bff ? h : h + 1);
    const tie = (x + next) / 2; // exact in float32 for neighbouring halves
    f32[0] = tie;
    out.push(tie, floatOfBits(u32[0] + 1), floatOfBits(u32[0] - 1));
  }
  // NaNs with payloads, infinities, overflow, float32 subnormals, the fp16 range edges
  const special = [0x7fc00000, 0x7f800001, 0xffc00001, 0x7fffffff, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x00400000];
  for (const b of special) out.push(floatOfBits(b));
  out.push(65504, 65519.99, 65520, -65520, 1e6, -1e38, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -26, 5.96e-8, -0, 0);
  return new Float32Array(out);
}

describe('half codec', () => {
  it('round-trips every float16 bit pattern (NaNs stay NaN)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = float16BitsToFloat32(h);
      const back = float32ToFloat16Bits(x);
      if (Number.isNaN(x)) expect(Number.isNaN(float16BitsToFloat32(back))).toBe(true);
      else expect(back).toBe(h);
    }
  });

  it('rounds exactly as the reference on all halves, their neighbours, ties and edge floats', () => {
    const values = edgeFloats();
    const fast = float32ArrayToFloat16(values);
    const bits = new Uint32Array(values.buffer);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) {
      const want = referenceBits(values[i]);
      if (fast[i] !== want || float32BitsToFloat16Bits(bits[i]) !== want || float32ToFloat16Bits(values[i]) !== want) mismatches++;
    }
    expect(values.length).toBeGreaterThan(300_000);
    expect(mismatches).toBe(0);
  });

  it('rounds exactly as the reference on random bit patterns', () => {
    let s = 12345;
    const bits = new Uint32Array(1_000_000);
    for (let i = 0; i < bits.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      bits[i] = s;
    }
    const values = new Float32Array(bits.buffer);
    const fast = float32ArrayToFloat16(values);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) if (fast[i] !== referenceBits(values[i])) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('rounds to nearest even', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up to infinity without clamping
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // exactly half the smallest subnormal: ties to even (0)
    expect(float32ToFloat16Bits(3 * 2 ** -26)).toBe(1);
  });

  it('decodes whole arrays as the scalar decoder does', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const back = float16ArrayToFloat32(all);
    expect(back).toBeInstanceOf(Float32Array);
    for (let h = 0; h < 0x10000; h++) expect(Object.is(back[h], Math.fround(float16BitsToFloat32(h))) || Number.isNaN(back[h])).toBe(true);
    const plain = [0, -0, 1, -2.5, 65504, 1e-8, 70000, Number.NaN, Infinity];
    expect([...float32ArrayToFloat16(plain)]).toEqual(plain.map(float32ToFloat16Bits));
  });
});
