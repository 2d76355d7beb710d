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
import { LITTLE_ENDIAN, float32BitsToFloat16Bits } from '../tensor/half';
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

/** Elements per pass through the aligned bounce buffer (64 KB): small enough to stay in cache. */
const BOUNCE_ELEMENTS = 1 << 14;
let bounce: Uint8Array | undefined;

/** Converts little-endian float32 bytes to float16 bytes, clamping, raising and counting. */
export function convertFloat32BytesToFloat16(bytes: Uint8Array, stats: Fp16Stats): Uint8Array {
  const count = bytes.byteLength >>> 2;
  const out = new Uint8Array(count * 2);
  const output = new Uint16Array(out.buffer);
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    convertWords(new Uint32Array(bytes.buffer, bytes.byteOffset, count), count, output, 0, stats);
  } else if (LITTLE_ENDIAN) {
    // Views into a file are often unaligned. Copying the whole tensor to align it cost a second copy of a
    // large model's weights (1 GB more memory written); a small reused buffer, a slice at a time, does not.
    bounce ??= new Uint8Array(BOUNCE_ELEMENTS * 4);
    const words = new Uint32Array(bounce.buffer);
    for (let at = 0; at < count; at += BOUNCE_ELEMENTS) {
      const n = Math.min(BOUNCE_ELEMENTS, count - at);
      bounce.set(bytes.subarray(at * 4, (at + n) * 4));
      convertWords(words, n, output, at, stats);
    }
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const input = new Uint32Array(count);
    for (let i = 0; i < count; i++) input[i] = view.getUint32(i * 4, true);
    convertWords(input, count, output, 0, stats);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < count; i++) outView.setUint16(i * 2, output[i], true);
  }
  return out;
}

/** output[at + i] = half bits of input[i] for i < n, clamped and raised, counted into `stats`. */
function convertWords(input: Uint32Array, n: number, output: Uint16Array, at: number, stats: Fp16Stats): void {
  let clamped = 0;
  let raised = 0;
  for (let i = 0; i < n; i++) {
    const bits = input[i];
    let h = clampedBits(bits);
    if (h >= 0) clamped++;
    else {
      h = float32BitsToFloat16Bits(bits);
      if ((h & 0x7fff) === 0 && (bits & 0x7fffffff) !== 0) {
        h |= 1; // the sign bit stays: +-2^-24
        raised++;
      }
    }
    output[at + i] = h;
  }
  stats.clamped += clamped;
  stats.raised += raised;
}

/**
 * Stored float32 bytes in the model's low precision: fp16 with onnxruntime's clamping and raising (above),
 * bf16 rounded only (tensor/low-precision.ts: float32's range, so nothing to clamp, and its subnormals reach
 * 2^-133, so the epsilons fp16 would flush stay nonzero; stats stay zero).
 */
export function convertFloat32BytesToLow(low: LowPrecision, bytes: Uint8Array, stats: Fp16Stats): Uint8Array {
  return low === 'bf16' ? convertFloat32BytesToBfloat16(bytes) : convertFloat32BytesToFloat16(bytes, stats);
}
