// Turns a recipe into group statuses and value weights, runs the min cut, and reads the answer back as
// per-group precisions and the Casts to insert. The MinCutPlanner (the flow network) is built once per
// model and reused for every recipe, which is what keeps a re-plan after one toggle to milliseconds.
import type { NodeReason, Recipe } from '../api';
import { makeBlockMatcher } from '../recipe';
import { FIXED_FP16, FIXED_FP32, FREE, type GroupStatus } from './cut-problem';
import type { PlanningProblem } from './constraints';
import { fp32ComputeKind, ortFusesIntoSkipLayerNorm } from './fp32-compute';
import { MinCutPlanner } from './min-cut';
import type { LowPrecision } from '../tensor/low-precision';
import { valueSizes, type UnboundDim } from './value-sizes';

/** Answers whether the target EP has a kernel in the recipe's low type (fp16 or bf16) for an op at the model's opset. */
export type KernelOracle = (ep: Recipe['targetEp'], domain: string, opType: string, opset: number, low: LowPrecision) => boolean;

export type Fp32Reason = NodeReason;

export interface PlanOutcome {
  /** The low type the fp16 side of the cut is written in (the recipe's lowPrecision). */
  low: LowPrecision;
  /** Per group: 1 = fp16 (the low side: float16 or bfloat16, see `low`). */
  groupFp16: Uint8Array;
  /** Per group: why it is fp32 (undefined for fp16 groups). */
  groupReason: (Fp32Reason | undefined)[];
  /**
   * Per group: 1 = the user blocked it, but the target EP's fp16 kernel computes in fp32, so it runs at
   * fp16 I/O with no Cast (fp32-compute.ts).
   */
  fp32Compute: Uint8Array;
  /** Per group: 1 = fp32Compute relies on the recipe's skipLayerNormStrictMode (a session option). */
  fp32ComputeStrict: Uint8Array;
  /** Indices into problem.values of the values that need a Cast (to the other precision). */
  castValues: number[];
  /** The cut's value: Cast count for the 'nodes' objective, weighted cost otherwise (host copies included). */
  cost: number;
  /** Bytes objective: the declared symbolic dims neither the recipe's dims nor shape inference sized. */
  unboundDims: UnboundDim[];
}

/** A Cast kernel launch expressed in bytes moved, so that the bytes objective still prefers fewer Casts. */
const CAST_LAUNCH_BYTES = 16_384;

/**
 * What one byte copied between host and device costs, in bytes moved through device memory: an H200 reads
 * HBM at ~4.8 TB/s and copies over PCIe 5 x16 at ~55-64 GB/s, about 75 times slower; 64 keeps to the safe
 * side. The GPU matrix's Whisper encoder (issue #15490 block list, fp16 I/O asked) ran the same 51 kernels
 * as onnxruntime's model, yet 0.74x at batch 8, because its 24 MB fp32 output was copied back instead of
 * 12 MB in fp16: a Cast moves 6 bytes per element through HBM, the fp32 copy 2 extra bytes per element
 * over PCIe.
 */
const HOST_BYTE_COST = 64;

/** Largest weight a value can have (bytes); sums of these stay exact in float64. */
const MAX_WEIGHT = 2 ** 40;

export class Planner {
  readonly problem: PlanningProblem;
  private readonly cut: MinCutPlanner;

  constructor(problem: PlanningProblem) {
    this.problem = problem;
    this.cut = new MinCutPlanner(problem.topology);
  }

  plan(recipe: Recipe, kernels: KernelOracle): PlanOutcome {
    const { groups, values, model } = this.problem;
    const blocked = makeBlockMatcher(recipe);
    const status = new Uint8Array(groups.length) as unknown as GroupStatus[];
    const reason: (Fp32Reason | undefined)[] = new Array(groups.length);
    const fp32Compute = new Uint8Array(groups.length);
    const fp32ComputeStrict = new Uint8Array(groups.length);
    const low = recipe.lowPrecision;
    // A blocked group whose fp16 kernel computes in fp32 keeps fp32 accuracy in either precision, so the
    // cut is free to place it: at fp16 I/O between fp16 neighbours, at fp32 between fp32 ones (issue
    // #15490's block list on the optimizer's output, where a Softmax between blocked MatMuls would
    // otherwise pay two Casts). Its block reason is kept here for when the cut leaves it fp32.
    const blockReason: (Fp32Reason | undefined)[] = new Array(groups.length);
    groups.forEach((group, g) => {
      let s: GroupStatus;
      let r: Fp32Reason | undefined;
      // Under bf16 a group whose type constraint (or the model's opset) has no bfloat16 is as fixed as 'spec-fp32'.
      switch (low === 'bf16' && !group.allowsBfloat16 ? 'spec-fp32' : group.cls) {
        case 'spec-fp32':
          s = FIXED_FP32;
          r = 'spec';
          break;
        case 'graph-input':
        case 'graph-output':
          s = recipe.keepIoTypes ? FIXED_FP32 : FREE;
          r = recipe.keepIoTypes ? 'io' : undefined;
          break;
        default: {
          r = blocked(group.opType, group.nodeName);
          // fp32-compute.ts read onnxruntime's float16 kernels only; under bf16 a blocked node stays fp32.
          const kind = r && low === 'fp16' && group.cls === 'compute' && group.node >= 0
            ? fp32ComputeKind(recipe.targetEp, group.domain, group.graph.nodes[group.node], {
                strictMode: recipe.skipLayerNormStrictMode,
                fusesIntoSkipLayerNorm: ortFusesIntoSkipLayerNorm(group.graph, group.node),
              })
            : undefined;
          if (kind) {
            fp32Compute[g] = 1;
            fp32ComputeStrict[g] = kind === 'strict-mode' ? 1 : 0;
            blockReason[g] = r;
            r = undefined;
          }
          if (!r && !kernels(recipe.targetEp, group.domain, group.opType, model.opsets.get(group.domain) ?? 1, low)) r = 'ep-kernel';
          s = r ? FIXED_FP32 : group.cls === 'free' || fp32Compute[g] ? FREE : FIXED_FP16;
        }
      }
      status[g] = s;
      reason[g] = r;
    });
    if (low === 'bf16') keepLayerNormFusionCastOut(this.problem, status, reason);
    const weights = new Float64Array(values.length);
    const sizes = recipe.objective === 'nodes' ? undefined : valueSizes(this.problem, recipe.dims);
    if (!sizes) weights.fill(1);
    // Capped: an absurd declared dim must not turn a weight infinite, which would make the cut meaningless.
    else values.forEach((value, i) => (weights[i] = Math.min(MAX_WEIGHT, CAST_LAUNCH_BYTES + 6 * sizes.count(value.graph, value.name))));
    // keepIoTypes off means "graph I/O becomes fp16" (onnxruntime's semantics); an I/O value left fp32 then
    // costs its extra 2 bytes per element across the host link on every run. The bytes objective weighs
    // that against the Cast that would make it fp16 (a fixed cost on the group's fp32 side); the nodes
    // objective keeps its promise of the fewest Casts and ignores it.
    let fp32Cost: Float64Array | undefined;
    if (sizes && !recipe.keepIoTypes) {
      const transfer = fp32Cost = new Float64Array(groups.length);
      values.forEach((value) => {
        const bytes = () => Math.min(MAX_WEIGHT, HOST_BYTE_COST * 2 * sizes.count(value.graph, value.name));
        if (groups[value.producer].cls === 'graph-input') transfer[value.producer] = bytes();
        for (const c of value.consumers) if (groups[c].cls === 'graph-output') transfer[c] = bytes();
      });
    }
    const { fp16, cost } = this.cut.solve(status, weights, fp32Cost);
    groups.forEach((_, g) => {
      if (fp16[g]) reason[g] = undefined;
      else if (!reason[g]) reason[g] = blockReason[g] ?? 'cut';
    });
    const castValues: number[] = [];
    values.forEach((value, i) => {
      const side = fp16[value.producer];
      if (value.consumers.some((c) => fp16[c] !== side)) castValues.push(i);
    });
    // Reported only where the cut chose fp16 I/O: at fp32 the node is simply what the user blocked.
    fp32Compute.forEach((f, g) => (fp32Compute[g] = f & fp16[g]));
    fp32ComputeStrict.forEach((f, g) => (fp32ComputeStrict[g] = f & fp16[g]));
    return { low, groupFp16: fp16, groupReason: reason, fp32Compute, fp32ComputeStrict, castValues, cost, unboundDims: sizes?.unbound() ?? [] };
  }
}

/**
 * Under bf16, a value whose fp32 readers start a decomposed LayerNorm (a ReduceMean and a Sub, both kept
 * fp32) must not be produced in bfloat16: the Cast(bf16 -> float) the cut would put there is exactly the
 * "leading Cast" that onnxruntime's LayerNormFusion (core/optimizer/layer_norm_fusion.cc: a Cast read by the
 * ReduceMean and the Subs only) folds into the fused node, which then takes a bfloat16 X with float scale,
 * bias and output: a type mix no CUDA (or CPU) LayerNormalization kernel has, so the session fails to load
 * (the GPU matrix's GPT-2 with "norms and Softmax in fp32" in bf16; docs/bf16.md). Keeping the producer fp32
 * moves the Cast before it, out of the pattern; the fused norm is then all float. Under fp16 the same fold
 * gives float16 X with float scale, which the CUDA kernel has, so nothing changes there.
 */
function keepLayerNormFusionCastOut(problem: PlanningProblem, status: GroupStatus[], reason: (Fp32Reason | undefined)[]): void {
  const { groups, values } = problem;
  const fp32 = (g: number, op: string) => groups[g].opType === op && groups[g].domain === '' && status[g] === FIXED_FP32;
  for (const value of values) {
    const p = value.producer;
    const cls = groups[p].cls;
    if (status[p] === FIXED_FP32 || (cls !== 'compute' && cls !== 'free')) continue;
    if (value.consumers.some((c) => fp32(c, 'ReduceMean')) && value.consumers.some((c) => fp32(c, 'Sub'))) {
      status[p] = FIXED_FP32;
      reason[p] = 'spec';
    }
  }
}

/** Elements of a tensor with symbolic dims bound from the recipe; unknown dims and shapes count as 1. */
export function elementCount(shape: (number | string)[] | undefined, dims: Record<string, number>): number {
  if (!shape) return 1;
  let count = 1;
  for (const d of shape) count *= typeof d === 'number' ? Math.max(d, 1) : dims[d] ?? 1;
  return count;
}
