// The planning problem in the abstract: slot groups that must each get one precision, and values that
// connect a producing group to consuming groups. Independent of ONNX so it can be brute-forced in tests.

export const FREE = 0;
export const FIXED_FP32 = 1;
export const FIXED_FP16 = 2;
export type GroupStatus = typeof FREE | typeof FIXED_FP32 | typeof FIXED_FP16;

export interface CutValue {
  producer: number;
  /** Distinct consuming groups, never containing the producer. */
  consumers: number[];
}

export interface CutTopology {
  groupCount: number;
  values: CutValue[];
}

export interface CutAssignment {
  /** Per group: 1 when it runs in fp16, 0 for fp32. */
  fp16: Uint8Array;
  /** Total weight of the values that need a Cast. */
  cost: number;
}

/**
 * Cost of an assignment: a value pays its weight once when any consumer differs from its producer, and a
 * group its fp32Cost (if any) when it is fp32.
 */
export function assignmentCost(topology: CutTopology, weights: Float64Array, fp16: Uint8Array, fp32Cost?: Float64Array): number {
  let cost = 0;
  if (fp32Cost) fp16.forEach((f, g) => (cost += f ? 0 : fp32Cost[g] ?? 0));
  topology.values.forEach((value, i) => {
    const side = fp16[value.producer];
    if (value.consumers.some((c) => fp16[c] !== side)) cost += weights[i];
  });
  return cost;
}
