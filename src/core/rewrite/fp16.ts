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
// The rounding itself is the tensor codec's (tensor/half.ts), applied to the float32 bit patterns.
import { LITTLE_ENDIAN, encodeFloat32WithKernel, float32BitsToFloat16Bits } from '../tensor/half';
import { convertFloat32BytesToBfloat16, type LowPrecision } from '../tensor/low-precision';

export interface Fp16Stats {
  /** Values beyond +-65504, clamped to it. */
  clamped: number;
  /** Nonzero values that would round to zero, raised to +-2^-24. */
  raised: number;
}

/** Bits of +-65504 (FP16_MAX) for float32 bits whose magnitude is finite and beyond it; -1 otherwise. */
function clampedBits(bits: number): number {
  const a = bits & 0x7fffffff;
  return a > 0x477fe000 && a < 0x7f800000 ? ((bits >>> 16) & 0x8000) | 0x7bff : -1;
}

/** Converts little-endian float32 bytes to float16 bytes, clamping, raising and counting. */
export function convertFloat32BytesToFloat16(bytes: Uint8Array, stats: Fp16Stats): Uint8Array {
  const out = new Uint8Array((bytes.byteLength >>> 2) * 2);
  convertFloat32BytesToFloat16Into(bytes, out, stats);
  return out;
}

/**
 * What convertFloat32BytesToFloat16 would count, without writing the halves anywhere: the planner's
 * report of clamped and raised values reads every stored weight, and a throwaway copy of a 1 GB model's
 * weights cost as much as the conversion itself.
 */
export function countFloat16Loss(bytes: Uint8Array, stats: Fp16Stats): void {
  convertFloat32BytesToFloat16Into(bytes, undefined, stats);
}

/**
 * The conversion of a range: `bytes` (float32, any alignment) to halves written into `out` (2 bytes per
 * element, any view: a slice of a shared buffer when the CLI splits a large model over threads), or only
 * counted when `out` is undefined. The same bytes and counts whatever the split.
 */
export function convertFloat32BytesToFloat16Into(bytes: Uint8Array, out: Uint8Array | undefined, stats: Fp16Stats): void {
  const count = bytes.byteLength >>> 2;
  if (out && out.byteLength < count * 2) throw new RangeError(`float16 output of ${out.byteLength} bytes for ${count} elements`);
  if (count <= SMALL_TENSOR) {
    convertSmall(bytes, count, out, stats);
    return;
  }
  let clamped = 0;
  let raised = 0;
  const edge = (bits: number): number => {
    const h = edgeHalf(bits);
    if (h & CLAMPED) clamped++;
    if (h & RAISED) raised++;
    return h & 0xffff;
  };
  if (encodeFloat32WithKernel(bytes, count, out, edge)) {
    stats.clamped += clamped;
    stats.raised += raised;
    return;
  }
  // no WebAssembly SIMD: the scalar loops, on an aligned copy when either side is not aligned
  const output = out && LITTLE_ENDIAN && out.byteOffset % 2 === 0 ? new Uint16Array(out.buffer, out.byteOffset, count) : new Uint16Array(count);
  const input = LITTLE_ENDIAN && bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, count) : alignedWords(bytes, count);
  convertWords(input, count, output, 0, stats);
  if (out && output.buffer !== out.buffer) {
    const view = new DataView(out.buffer, out.byteOffset, count * 2);
    for (let i = 0; i < count; i++) view.setUint16(i * 2, output[i], true);
  }
}

/**
 * Up to this many elements skip the SIMD kernel: a model's Constant scalars and small shape-like tensors
 * (gpt2-deep200 has ~16k) each paid for a closure, three views of the kernel's memory and two copies
 * through it, ~100 ms of a cold convert for a few bytes each.
 */
const SMALL_TENSOR = 16;

/**
 * The element-wise form of the conversion for a few elements: bytes read and written one at a time (any
 * alignment, either host byte order), each element through edgeHalf, the whole rule that the loops below
 * apply to their tail (for a few elements the normal-range shortcut saves nothing), so the bytes and the
 * counts are the same (fp16.test.ts compares the two over edge values).
 */
function convertSmall(bytes: Uint8Array, count: number, out: Uint8Array | undefined, stats: Fp16Stats): void {
  let clamped = 0;
  let raised = 0;
  for (let i = 0, at = 0; i < count; i++, at += 4) {
    const h = edgeHalf((bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0);
    if (h & CLAMPED) clamped++;
    if (h & RAISED) raised++;
    if (out) {
      out[i * 2] = h & 0xff;
      out[i * 2 + 1] = (h >>> 8) & 0xff;
    }
  }
  stats.clamped += clamped;
  stats.raised += raised;
}

/** Little-endian float32 bytes as host words, copied (the scalar path only). */
function alignedWords(bytes: Uint8Array, count: number): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = view.getUint32(i * 4, true);
  return words;
}

const CLAMPED = 0x10000;
const RAISED = 0x20000;

/**
 * Half bits of float32 bits outside the normal-half range [2^-14, 65504] (or any bits), clamped and raised
 * as above, with CLAMPED or RAISED added when that happened.
 */
function edgeHalf(bits: number): number {
  const h = clampedBits(bits);
  if (h >= 0) return h | CLAMPED;
  const r = float32BitsToFloat16Bits(bits);
  // the sign bit stays: +-2^-24
  return (r & 0x7fff) === 0 && (bits & 0x7fffffff) !== 0 ? r | 1 | RAISED : r;
}

/** output[at + i] = half bits of input[i] for i < n, clamped and raised, counted into `stats`. */
function convertWords(input: Uint32Array, n: number, output: Uint16Array, at: number, stats: Fp16Stats): void {
  let clamped = 0;
  let raised = 0;
  let i = 0;
  if (at % 2 === 0 && output.byteOffset % 4 === 0) {
    // Two weights per step, written as one 32-bit word (little-endian: the first is the low half). A weight
    // in [2^-14, 65504], nearly every one, is a normal half with nothing to clamp or raise: the rounding of
    // float32BitsToFloat16Bits's normal branch without its range tests (~1.5x the element-wise loop).
    const pairs = new Uint32Array(output.buffer, output.byteOffset + at * 2, n >>> 1);
    for (; i + 1 < n; i += 2) {
      const b0 = input[i];
      const b1 = input[i + 1];
      const a0 = b0 & 0x7fffffff;
      const a1 = b1 & 0x7fffffff;
      let h0: number;
      let h1: number;
      if (a0 >= 0x38800000 && a0 <= 0x477fe000) h0 = ((b0 >>> 16) & 0x8000) | ((a0 - 0x38000000 + 0xfff + ((a0 >>> 13) & 1)) >>> 13);
      else {
        h0 = edgeHalf(b0);
        if (h0 & CLAMPED) clamped++;
        if (h0 & RAISED) raised++;
        h0 &= 0xffff;
      }
      if (a1 >= 0x38800000 && a1 <= 0x477fe000) h1 = ((b1 >>> 16) & 0x8000) | ((a1 - 0x38000000 + 0xfff + ((a1 >>> 13) & 1)) >>> 13);
      else {
        h1 = edgeHalf(b1);
        if (h1 & CLAMPED) clamped++;
        if (h1 & RAISED) raised++;
        h1 &= 0xffff;
      }
      pairs[i >>> 1] = h0 | (h1 << 16);
    }
  }
  for (; i < n; i++) {
    const h = edgeHalf(input[i]);
    if (h & CLAMPED) clamped++;
    if (h & RAISED) raised++;
    output[at + i] = h & 0xffff;
  }
  stats.clamped += clamped;
  stats.raised += raised;
}

/**
 * Stored float32 bytes in the model's low precision: fp16 with onnxruntime's clamping and raising (above),
 * bf16 rounded only (tensor/low-precision.ts: float32's range, so nothing to clamp, and its subnormals reach
 * 2^-133, so the epsilons fp16 would flush stay nonzero; stats stay zero).
 */
export function convertFloat32BytesToLow(low: LowPrecision, bytes: Uint8Array, stats: Fp16Stats, fp16: Fp16Converter = convertFloat32BytesToFloat16): Uint8Array {
  return low === 'bf16' ? convertFloat32BytesToBfloat16(bytes) : fp16(bytes, stats);
}

/**
 * A stand-in for convertFloat32BytesToFloat16 (same bytes, same counts added to `stats`): the CLI passes
 * one that splits a large tensor's range over threads (ConvertOptions.fp16Converter).
 */
export type Fp16Converter = (bytes: Uint8Array, stats: Fp16Stats) => Uint8Array;
