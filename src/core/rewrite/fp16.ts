// float32 -> float16 conversion of stored data, the way a Cast would round (nearest, ties to even), except
// that finite values beyond fp16's range are clamped to +-65504 instead of becoming infinities. Clamped
// and flushed-to-zero values are counted so the user sees what the conversion cost. The rounding itself
// is the tensor codec's (tensor/half.ts), applied to the float32 bit patterns.
import { FP16_MAX, LITTLE_ENDIAN, float32BitsToFloat16Bits } from '../tensor/half';

export { FP16_MAX };

export interface Fp16Stats {
  clamped: number;
  flushed: number;
}

/** Bits of +-65504 (FP16_MAX) for float32 bits whose magnitude is finite and beyond it; -1 otherwise. */
function clampedBits(bits: number): number {
  const a = bits & 0x7fffffff;
  return a > 0x477fe000 && a < 0x7f800000 ? ((bits >>> 16) & 0x8000) | 0x7bff : -1;
}

/** Converts little-endian float32 bytes to float16 bytes, clamping and counting. */
export function convertFloat32BytesToFloat16(bytes: Uint8Array, stats: Fp16Stats): Uint8Array {
  const count = bytes.byteLength >>> 2;
  const out = new Uint8Array(count * 2);
  let input: Uint32Array;
  if (LITTLE_ENDIAN) {
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice(0, count * 4); // views into a file may be unaligned
    input = new Uint32Array(aligned.buffer, aligned.byteOffset, count);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    input = new Uint32Array(count);
    for (let i = 0; i < count; i++) input[i] = view.getUint32(i * 4, true);
  }
  const output = new Uint16Array(out.buffer);
  let clamped = 0;
  let flushed = 0;
  for (let i = 0; i < count; i++) {
    const bits = input[i];
    let h = clampedBits(bits);
    if (h >= 0) clamped++;
    else {
      h = float32BitsToFloat16Bits(bits);
      if ((h & 0x7fff) === 0 && (bits & 0x7fffffff) !== 0) flushed++;
    }
    output[i] = h;
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(out.buffer);
    for (let i = 0; i < count; i++) view.setUint16(i * 2, output[i], true);
  }
  stats.clamped += clamped;
  stats.flushed += flushed;
  return out;
}
