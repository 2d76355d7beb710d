// IEEE half precision (fp16): scalar and whole-array conversion to and from float32, rounding to nearest
// with ties to even, as a Cast does. The array forms work on the float32 bit patterns (a Uint32Array view)
// with integer operations only, and decode through a 65,536-entry table, so converting a model's weights
// runs at memory speed rather than at a DataView call per element (issue 9: BERT-large's 1.3 GB took 7 s).
// Where WebAssembly SIMD runs (Node 20, Chromium), the array forms go through the kernels of half-wasm.ts,
// chunk by chunk, with this file's scalar rule applied to the few elements they flag.
// bfloat16, the second low-precision format, is at the end of this file; low-precision.ts names both.
import { EDGES_AT, F16_AT, F32_AT, HALF_CHUNK, halfKernels } from './half-wasm';

export const FP16_MAX = 65504;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** True on every platform that runs this project; the array codecs fall back to scalar code otherwise. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Half bits of the float32 with bit pattern `bits` (round to nearest even; overflow to infinity; NaN keeps
 * its top payload bits and becomes quiet). The one rounding rule; the scalar and array forms both use it.
 */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const a = bits & 0x7fffffff;
  if (a >= 0x38800000) {
    // at least 2^-14: a normal half, infinity or NaN
    if (a >= 0x47800000) return sign | (a > 0x7f800000 ? 0x7e00 | ((a & 0x7fffff) >>> 13) : 0x7c00);
    // rebias the exponent, add the rounding bias (ties to even); a carry into the exponent is correct
    return sign | ((a - 0x38000000 + 0xfff + ((a >>> 13) & 1)) >>> 13);
  }
  if (a < 0x33000000) return sign; // at most half the smallest subnormal (a tie at exactly half rounds to even 0)
  // subnormal half: shift the mantissa (with its implicit bit) into place, round to nearest even
  const exponent = a >>> 23;
  const mantissa = (a & 0x7fffff) | 0x800000;
  const shift = 126 - exponent;
  let half = mantissa >>> shift;
  const rest = mantissa & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && half & 1)) half++;
  return sign | half;
}

/** Bits of the float16 nearest to x (round to nearest even), without clamping. */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  return float32BitsToFloat16Bits(u32[0]);
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let decodeTable: Float32Array | undefined;

/** float32 value of every half bit pattern (256 KB, built on first use). */
function halfTable(): Float32Array {
  if (!decodeTable) {
    decodeTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) decodeTable[h] = float16BitsToFloat32(h);
  }
  return decodeTable;
}

/**
 * Whole arrays of half bits to float32 and back. Plain loops on purpose: TypedArray.from(data, fn) makes V8
 * collect the mapped values in an ordinary array first, which fails ("invalid array length") beyond ~100M
 * elements, the size of a decoder's logits at batch 8 x 512.
 */
export function float16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const n = bits.length;
  const out = new Float32Array(n);
  const kernels = LITTLE_ENDIAN ? halfKernels() : undefined;
  if (kernels) {
    // the kernel decodes every pattern exactly as the table does (half-wasm.ts), 8 at a time
    const halves = new Uint16Array(kernels.memory.buffer, F16_AT, HALF_CHUNK);
    const floats = new Float32Array(kernels.memory.buffer, F32_AT, HALF_CHUNK);
    for (let at = 0; at < n; at += HALF_CHUNK) {
      const count = Math.min(HALF_CHUNK, n - at);
      halves.set(bits.subarray(at, at + count));
      kernels.decode((count + 7) >>> 3);
      out.set(count === HALF_CHUNK ? floats : floats.subarray(0, count), at);
    }
    return out;
  }
  const table = halfTable();
  for (let i = 0; i < n; i++) out[i] = table[bits[i]];
  return out;
}

/**
 * float32 -> half bits of `count` little-endian float32s in `src` (any byte alignment) into `out` (2 bytes
 * each; undefined to only look at them), through the SIMD kernel: elements in the normal-half range as
 * float32BitsToFloat16Bits rounds them, every other one given by `edge(bits)` (the caller's rule for zeros,
 * subnormals, overflow and NaN, and its count of them). False, having done nothing, where the kernel is not
 * available: the caller then runs its scalar loop.
 */
export function encodeFloat32WithKernel(src: Uint8Array, count: number, out: Uint8Array | undefined, edge: (bits: number) => number): boolean {
  const kernels = LITTLE_ENDIAN ? halfKernels() : undefined;
  if (!kernels) return false;
  const memory = kernels.memory;
  const words = new Uint32Array(memory.buffer, F32_AT, HALF_CHUNK);
  const halves = new Uint16Array(memory.buffer, F16_AT, HALF_CHUNK);
  const edges = new Uint32Array(memory.buffer, EDGES_AT, HALF_CHUNK / 8);
  for (let at = 0; at < count; at += HALF_CHUNK) {
    const n = Math.min(HALF_CHUNK, count - at);
    memory.set(src.subarray(at * 4, (at + n) * 4), F32_AT);
    // a last partial group reads stale words past n: they may be listed, and are skipped below
    const listed = kernels.encode((n + 7) >>> 3);
    for (let e = 0; e < listed; e++) {
      const first = edges[e] * 8;
      const last = Math.min(first + 8, n);
      for (let i = first; i < last; i++) halves[i] = edge(words[i]);
    }
    if (out) out.set(memory.subarray(F16_AT, F16_AT + n * 2), at * 2);
  }
  return true;
}

/** The float32 bit patterns of `values`: a view when they already are a Float32Array, else a plain-loop copy. */
function float32Bits(values: ArrayLike<number>): Uint32Array {
  if (values instanceof Float32Array) return new Uint32Array(values.buffer, values.byteOffset, values.length);
  const n = values.length;
  const source = new Float32Array(n);
  for (let i = 0; i < n; i++) source[i] = values[i];
  return new Uint32Array(source.buffer);
}

export function float32ArrayToFloat16(values: ArrayLike<number>): Uint16Array {
  const n = values.length;
  const out = new Uint16Array(n);
  const bits = float32Bits(values);
  const bytes = new Uint8Array(bits.buffer, bits.byteOffset, n * 4);
  if (encodeFloat32WithKernel(bytes, n, new Uint8Array(out.buffer), float32BitsToFloat16Bits)) return out;
  for (let i = 0; i < n; i++) out[i] = float32BitsToFloat16Bits(bits[i]);
  return out;
}

// bfloat16 (bf16): the top 16 bits of a float32, so it has float32's exponent range and 8 bits of
// precision. Rounding to nearest even is an integer add on the float32 bits; NaN is handled apart so that
// a payload in the low bits cannot round into infinity. Nothing overflows that float32 could hold, except
// the largest float32s (above bf16's max plus half an ulp), which round to infinity as a Cast does.

/** Largest finite bfloat16, (2 - 2^-7) * 2^127. */
export const BF16_MAX = 3.3895313892515355e38;

/** bfloat16 bits of the float32 with bit pattern `bits` (round to nearest even; NaN stays NaN, made quiet). */
export function float32BitsToBfloat16Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  // bits + 0x7fff + lsb is below 2^32 for every non-NaN pattern, so the shift sees the exact sum
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Bits of the bfloat16 nearest to x (round to nearest even). */
export function float32ToBfloat16Bits(x: number): number {
  f32[0] = x;
  return float32BitsToBfloat16Bits(u32[0]);
}

export function bfloat16BitsToFloat32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** Whole arrays of bfloat16 bits to float32 and back (plain loops, as for fp16 above). */
export function bfloat16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const n = bits.length;
  const out = new Float32Array(n);
  const wide = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) wide[i] = bits[i] << 16;
  return out;
}

export function float32ArrayToBfloat16(values: ArrayLike<number>): Uint16Array {
  const n = values.length;
  const out = new Uint16Array(n);
  const bits = float32Bits(values);
  for (let i = 0; i < n; i++) out[i] = float32BitsToBfloat16Bits(bits[i]);
  return out;
}
