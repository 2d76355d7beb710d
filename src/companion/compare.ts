// Error of one output against a reference (fp16 model vs fp32): max/mean abs, max rel, cosine, non-finite.
// Browser-safe: the engine's comparison over the wire's typed data (float16 and int64 expanded first).
import { fromHalfBits, type TensorData, type TensorType } from './protocol.js';
import { compareArrays, type OutputComparison } from '../core/precision/metrics';

/** The engine's comparison (core/precision/metrics.ts) without the per-output name. */
export type ErrorStats = Omit<OutputComparison, 'name' | 'scale'>;

// Plain loops, not TypedArray.from(data, fn): V8 collects a mapped `from` into an ordinary array first,
// which cannot hold the ~400M elements of a decoder's 8x512 logits ("invalid array length").
function values(type: TensorType | string, data: TensorData): ArrayLike<number> {
  if (type === 'float16') {
    const bits = data as Uint16Array;
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = fromHalfBits(bits[i]);
    return out;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  return data as Float32Array;
}

export function compareTensors(
  ref: { type: TensorType | string; data: TensorData },
  got: { type: TensorType | string; data: TensorData },
): ErrorStats {
  const { name: _name, scale: _scale, ...stats } = compareArrays('', values(ref.type, ref.data), values(got.type, got.data));
  return stats;
}
