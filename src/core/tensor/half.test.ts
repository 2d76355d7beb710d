import { describe, expect, it } from 'vitest';
import { BF16_MAX, bfloat16ArrayToFloat32, bfloat16BitsToFloat32, float16ArrayToFloat32, float16BitsToFloat32, float32ArrayToBfloat16, float32ArrayToFloat16, float32BitsToBfloat16Bits, float32BitsToFloat16Bits, float32ToBfloat16Bits, float32ToFloat16Bits } from './half';
import { LOW_FORMATS, convertFloat32BytesToBfloat16, isLowPrecision } from './low-precision';

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

describe('bfloat16 codec', () => {
  // Oracle: round to nearest even written out on the float32 bits, without the add-carry trick.
  const referenceBf16 = (bits: number): number => {
    const exponent = (bits >>> 23) & 0xff;
    const mantissa = bits & 0x7fffff;
    if (exponent === 0xff && mantissa) return ((bits >>> 16) | 0x40) & 0xffff;
    const high = bits >>> 16;
    const rest = bits & 0xffff;
    return rest > 0x8000 || (rest === 0x8000 && high & 1) ? (high + 1) & 0xffff : high;
  };

  it('rounds to nearest with ties to even, on every bf16 and the float32s around and halfway between', () => {
    const samples: number[] = [];
    for (let b = 0; b < 0x10000; b++) {
      const bits = (b << 16) >>> 0;
      samples.push(bits, (bits + 0x7fff) >>> 0, (bits + 0x8000) >>> 0, (bits + 0x8001) >>> 0, (bits + 0xffff) >>> 0);
    }
    // one expect over the mismatches: 327,680 expect calls would take seconds
    expect(samples.filter((bits) => float32BitsToBfloat16Bits(bits) !== referenceBf16(bits)).map((b) => b.toString(16))).toEqual([]);
  });

  it('ties: 1 + 2^-8 rounds down to 1 (even), 1 + 3 * 2^-8 up to 1 + 2^-6', () => {
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(1 + 2 ** -8))).toBe(1);
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6);
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(1 + 2 ** -8 + 2 ** -20))).toBe(1 + 2 ** -7);
  });

  it('keeps NaN (quiet, sign kept), infinities, signed zeros, and float32 range without clamping', () => {
    expect(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN)))).toBe(true);
    expect(float32BitsToBfloat16Bits(0x7f800001)).toBe(0x7fc0); // a signalling NaN whose payload is all below bit 16
    expect(float32BitsToBfloat16Bits(0xff800001)).toBe(0xffc0);
    expect(float32ToBfloat16Bits(Infinity)).toBe(0x7f80);
    expect(float32ToBfloat16Bits(-Infinity)).toBe(0xff80);
    expect(float32ToBfloat16Bits(-0)).toBe(0x8000);
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(1e6))).toBe(999424); // no clamp at 65504
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(BF16_MAX))).toBe(BF16_MAX);
    expect(float32ToBfloat16Bits(3.4028234663852886e38)).toBe(0x7f80); // float32's max is past bf16's max + half an ulp
  });

  it('keeps subnormals: bf16 reaches 2^-133, and what is smaller rounds (to even) to zero, unraised', () => {
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(2 ** -133))).toBe(2 ** -133);
    expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(1e-12))).toBeCloseTo(1e-12, 14);
    expect(float32ToBfloat16Bits(2 ** -134)).toBe(0); // the tie between 0 and 2^-133 goes to even 0
    expect(float32ToBfloat16Bits(2 ** -134 + 2 ** -149)).toBe(1);
    expect(float32ToBfloat16Bits(-(2 ** -140))).toBe(0x8000);
  });

  it('array forms equal the scalar ones and round-trip every bf16', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const wide = bfloat16ArrayToFloat32(all);
    const back = float32ArrayToBfloat16(wide);
    const wrong: string[] = [];
    for (let b = 0; b < 0x10000; b++) {
      const nan = (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
      if (back[b] !== (nan ? b | 0x40 : b) || !(Object.is(wide[b], bfloat16BitsToFloat32(b)) || nan)) wrong.push(b.toString(16));
    }
    expect(wrong).toEqual([]);
    const values = [0.1, -2.5, 1e-30, 3e38, NaN, -Infinity];
    expect(Array.from(float32ArrayToBfloat16(values))).toEqual(values.map(float32ToBfloat16Bits));
  });
});

describe('low-precision table', () => {
  it('stores bf16 bytes unclamped, aligned or not, and names both formats', () => {
    const values = new Float32Array([1e6, -70000, 1e-12, 0.333, NaN]);
    const bytes = new Uint8Array(values.buffer);
    const unaligned = new Uint8Array(bytes.length + 1).fill(0);
    unaligned.set(bytes, 1);
    for (const input of [bytes, unaligned.subarray(1)]) {
      const out = new Uint16Array(convertFloat32BytesToBfloat16(input).slice().buffer);
      expect(Array.from(out)).toEqual(Array.from(values, float32ToBfloat16Bits));
    }
    expect(LOW_FORMATS.bf16).toMatchObject({ elemType: 16, onnxName: 'BFLOAT16', clamps: false, minOpset: 13 });
    expect(LOW_FORMATS.fp16).toMatchObject({ elemType: 10, onnxName: 'FLOAT16', clamps: true, max: 65504 });
    expect(isLowPrecision('bf16') && isLowPrecision('fp16') && !isLowPrecision('fp8')).toBe(true);
  });
});
