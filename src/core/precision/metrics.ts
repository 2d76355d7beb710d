// How far a candidate tensor is from its reference: the numbers the precision panel, the CLI checks and the
// Node tests all report. Pure, so the browser worker and onnxruntime-node compute them the same way.
import { FP16_MAX } from '../tensor/half';

export interface OutputComparison {
  name: string;
  elements: number;
  maxAbs: number;
  /** Mean |a-b| over the finite candidate elements. */
  meanAbs: number;
  /**
   * max |a-b| / |a| over the elements whose |reference| is at least 1e-3 of the largest: relative error
   * where it means something, not blown up by references that are almost zero.
   */
  maxRel: number;
  /** Cosine similarity of the finite elements (1 when both are all zeros). */
  cosine: number;
  /** Elements that are inf/NaN in the candidate but finite in the reference. */
  nonFinite: number;
  /** Largest finite |reference| value, for scale. */
  scale: number;
}

/** The one comparison every screen, test and the companion report (streams, no copies). */
export function compareArrays(name: string, reference: ArrayLike<number>, candidate: ArrayLike<number>): OutputComparison {
  const n = reference.length;
  if (candidate.length !== n) throw new Error(`${name}: element counts differ (${n} vs ${candidate.length})`);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(reference[i]);
    if (a > scale && Number.isFinite(a)) scale = a;
  }
  const floor = scale * 1e-3;
  let maxAbs = 0;
  let sumAbs = 0;
  let finite = 0;
  let maxRel = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let nonFinite = 0;
  for (let i = 0; i < n; i++) {
    const a = reference[i];
    const b = candidate[i];
    if (!Number.isFinite(b)) {
      if (Number.isFinite(a)) nonFinite++;
      continue;
    }
    const d = Math.abs(a - b);
    finite++;
    sumAbs += d;
    if (d > maxAbs) maxAbs = d;
    const magnitude = Math.abs(a);
    if (magnitude >= floor && magnitude > 0 && d / magnitude > maxRel) maxRel = d / magnitude;
    dot += a * b;
    na += a * a;
    nb += b * b;
  }
  const cosine = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb || 1);
  return { name, elements: n, maxAbs, meanAbs: finite ? sumAbs / finite : NaN, maxRel, cosine, nonFinite, scale };
}

/** The error of one intermediate value, compact enough to keep for every value of a 45,000-node graph. */
export interface ValueError {
  /** ||a-b|| / ||a|| over finite elements (0 when the reference is all zeros and the candidate too). */
  relL2: number;
  maxAbs: number;
  /** inf/NaN in the candidate where the reference is finite. */
  nonFinite: number;
  /** Reference elements beyond fp16's range (|x| > 65504): these overflow wherever the value is fp16. */
  overflow: number;
  /** Largest finite |reference| value. */
  refMaxAbs: number;
}

export function valueError(reference: ArrayLike<number>, candidate: ArrayLike<number>): ValueError {
  let diff2 = 0;
  let ref2 = 0;
  let maxAbs = 0;
  let nonFinite = 0;
  let overflow = 0;
  let refMaxAbs = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i];
    const b = candidate[i];
    const absA = Math.abs(a);
    if (!Number.isFinite(a)) continue;
    if (absA > FP16_MAX) overflow++;
    if (absA > refMaxAbs) refMaxAbs = absA;
    if (!Number.isFinite(b)) {
      nonFinite++;
      continue;
    }
    const d = a - b;
    diff2 += d * d;
    ref2 += a * a;
    const ad = Math.abs(d);
    if (ad > maxAbs) maxAbs = ad;
  }
  const relL2 = diff2 === 0 ? 0 : Math.sqrt(diff2 / Math.max(ref2, 1e-30));
  return { relL2, maxAbs, nonFinite, overflow, refMaxAbs };
}

/** Which number a tolerance bounds. 'cosine' is bounded from below (1 - cosine is the error). */
export type ErrorMetric = 'maxAbs' | 'maxRel' | 'cosine';

/**
 * One number for a set of output comparisons, larger is worse: the worst output under the metric, and
 * Infinity as soon as any output has inf/NaN that the reference does not.
 */
export function worstError(comparisons: readonly OutputComparison[], metric: ErrorMetric): number {
  let worst = 0;
  for (const c of comparisons) {
    if (c.nonFinite > 0) return Infinity;
    const e = metric === 'maxAbs' ? c.maxAbs : metric === 'maxRel' ? c.maxRel : 1 - c.cosine;
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** Whether a set of comparisons meets a tolerance (for 'cosine' the tolerance is the least cosine). */
export function meetsTolerance(comparisons: readonly OutputComparison[], metric: ErrorMetric, tolerance: number): boolean {
  const worst = worstError(comparisons, metric);
  return metric === 'cosine' ? 1 - worst >= tolerance : worst <= tolerance;
}
