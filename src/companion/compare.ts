// Error of one output against a reference (fp16 model vs fp32): max/mean abs, max rel, cosine, non-finite.
// Browser-safe; streams over the elements (no copies), so it works on large outputs.
import { fromHalfBits, type TensorData, type TensorType } from './protocol.js';

export interface ErrorStats {
  elements: number;
  maxAbs: number;
  meanAbs: number;
  /** max |a-b| / max(|a|, 1e-6) over elements with |ref| >= 1e-3 of the reference's max magnitude. */
  maxRel: number;
  cosine: number;
  /** Elements of the compared output that are Inf or NaN. */
  nonFinite: number;
}

function reader(type: TensorType | string, data: TensorData): (i: number) => number {
  if (type === 'float16') {
    const d = data as Uint16Array;
    // a 64k table is faster than decoding every element
    const table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = fromHalfBits(h);
    return (i) => table[d[i]];
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return (i) => Number(data[i]);
  const d = data as Float32Array;
  return (i) => d[i];
}

export function compareTensors(
  ref: { type: TensorType | string; data: TensorData },
  got: { type: TensorType | string; data: TensorData },
): ErrorStats {
  const n = ref.data.length;
  if (got.data.length !== n) throw new Error(`element counts differ: ${n} vs ${got.data.length}`);
  const a = reader(ref.type, ref.data);
  const b = reader(got.type, got.data);
  let refMax = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(a(i));
    if (v > refMax && Number.isFinite(v)) refMax = v;
  }
  const floor = refMax * 1e-3;
  let maxAbs = 0;
  let sumAbs = 0;
  let maxRel = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let nonFinite = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const x = a(i);
    const y = b(i);
    if (!Number.isFinite(y)) {
      nonFinite++;
      continue;
    }
    const d = Math.abs(x - y);
    finite++;
    if (d > maxAbs) maxAbs = d;
    sumAbs += d;
    const ax = Math.abs(x);
    if (ax >= floor && ax > 0) {
      const r = d / ax;
      if (r > maxRel) maxRel = r;
    }
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  const cosine = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : na === nb ? 1 : 0;
  return { elements: n, maxAbs, meanAbs: finite ? sumAbs / finite : NaN, maxRel, cosine, nonFinite };
}
