// float32 -> float16 conversion of stored data, the way a Cast would round (nearest, ties to even), except
// at both ends of fp16's range, where Castaway follows onnxruntime's convert_float_to_float16
// (float16.py, convert_np_to_float16 with max_finite_val=65504 and min_positive_val=5.96e-8):
// - finite values beyond +-65504 are clamped to +-65504 instead of becoming infinities;
// - nonzero values that would round to zero are raised to fp16's smallest subnormal, +-2^-24 (5.96e-8),
//   with their sign. A stored value is almost always an epsilon, a scale or a divisor when it is that
//   small (BERT's layer_norm_eps is 1e-12): as 0 it divides by zero on a constant row, and onnxruntime's
//   NoopElimination deletes `Add(x, 0)`, which breaks its LayerNorm fusion (docs/tiny-values.md). Raising
//   it keeps the reader in fp16 with no Cast; keeping the constant fp32 instead would force a Cast (or an
//   fp32 Add) per layer norm and still break the fusion pattern, so it is slower and no more accurate
//   where it matters (the epsilon only guards against a zero variance).
// Clamped and raised values are counted, and the tensors they sit in listed, so the user sees them.

export const FP16_MAX = 65504;
/** fp16's smallest subnormal, 2^-24: what a nonzero value that would round to zero becomes. */
export const FP16_MIN_SUBNORMAL = 2 ** -24;

export interface Fp16Stats {
  /** Values beyond +-65504, clamped to it. */
  clamped: number;
  /** Nonzero values that would round to zero, raised to +-2^-24. */
  raised: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Bits of the float16 nearest to x (round to nearest even), without clamping. */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0); // inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to infinity
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++;
    return sign | half;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // may carry into the exponent, which is correct
  return sign | h;
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Whole arrays of half bits to float32 and back. Plain loops on purpose: TypedArray.from(data, fn) makes V8
 * collect the mapped values in an ordinary array first, which fails ("invalid array length") beyond ~100M
 * elements, the size of a decoder's logits at batch 8 x 512.
 */
export function float16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]);
  return out;
}

export function float32ArrayToFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

/** Converts little-endian float32 bytes to float16 bytes, clamping and counting. */
export function convertFloat32BytesToFloat16(bytes: Uint8Array, stats: Fp16Stats): Uint8Array {
  const count = bytes.byteLength >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint8Array(count * 2);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    let x = view.getFloat32(i * 4, true);
    if (Number.isFinite(x) && Math.abs(x) > FP16_MAX) {
      x = x > 0 ? FP16_MAX : -FP16_MAX;
      stats.clamped++;
    }
    let h = float32ToFloat16Bits(x);
    if ((h & 0x7fff) === 0 && x !== 0) {
      h |= 1; // the sign bit stays: +-2^-24
      stats.raised++;
    }
    outView.setUint16(i * 2, h, true);
  }
  return out;
}

/** A stored float32 value as the conversion writes it, read back (clamped and raised as above). */
export function roundThroughFloat16(x: number): number {
  const clamped = Number.isFinite(x) && Math.abs(x) > FP16_MAX ? Math.sign(x) * FP16_MAX : x;
  const h = float32ToFloat16Bits(clamped);
  return float16BitsToFloat32((h & 0x7fff) === 0 && x !== 0 ? h | 1 : h);
}
