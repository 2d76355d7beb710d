// Error of one output against a reference (fp16 model vs fp32): max/mean abs, max rel, cosine, non-finite.
// Browser-safe: the engine's comparison over the wire's typed data (float16 and int64 expanded first).
import type { TensorData, TensorType } from './protocol.js';
import { float16ArrayToFloat32 } from '../../core/index';
import { compareArrays, type OutputComparison } from '../../core/index';

/** The engine's comparison (core/precision/metrics.ts) without the per-output name. */
export type ErrorStats = Omit<OutputComparison, 'name' | 'scale'>;

function values(type: TensorType | string, data: TensorData): ArrayLike<number> {
  if (type === 'float16') return float16ArrayToFloat32(data as Uint16Array);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // a loop, for the reason given at float16ArrayToFloat32
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
