// Kernels that take float16 in and out but compute in float32 (issue 9, item 5). A user who blocks
// "norms and Softmax in fp32" wants their reductions in fp32; where the target EP's float16 kernel already
// reduces in fp32, running the op in fp16 keeps that accuracy with no Cast at all, so the planner treats
// the block as satisfied at fp16 I/O when that saves Casts and says so (PlanReport.fp32ComputeNodes).
//
// Why this is safe: the values into and out of such a node are fp16 either way whenever its neighbours are
// fp16 (a blocked node between fp16 nodes gets Cast(fp16->fp32) before and Cast(fp32->fp16) after, which
// round the same values); what the block protects, the mean/variance/exp-sum reductions, runs in fp32 in
// these kernels. The planner makes such a blocked group free rather than fixed fp16, so the cut keeps it
// fp32 among fp32 neighbours (no Casts either way) and only reports the ones it put at fp16 I/O. Where a
// neighbour is fp32, the boundary rounds to fp16 (relative 2^-11) once more than an
// fp32 node would, and the reductions still run in fp32.
//
// Sources (microsoft/onnxruntime, CUDA EP), read with the search tool:
// - LayerNormalization, opset 17+: core/providers/cuda/nn/layer_norm.cc registers
//   REGISTER_KERNEL_TYPED(MLFloat16, float) = LayerNorm<MLFloat16, float, MLFloat16>: U = float is the type
//   of the mean and inverse std-dev that HostApplyLayerNorm computes.
// - LayerNormalization 1-16 and SimplifiedLayerNormalization (ai.onnx, onnxruntime's own): the same file
//   instantiates LAYERNORM_IMPL(MLFloat16, float, MLFloat16, false/true) for the contrib registrations.
// - Softmax: core/providers/cuda/math/softmax.cc, SoftMaxComputeHelper dispatches
//   dispatch_warpwise_softmax_forward / dispatch_blockwise_softmax_forward<CudaT, CudaT,
//   AccumulationType_t<CudaT>>, and AccumulationType_t<half> is float.
// SkipLayerNormalization and SkipSimplifiedLayerNormalization: re-read for onnxruntime 1.29/1.30,
// contrib_ops/cuda/bert/skip_layer_norm.cc calls LaunchSkipLayerNormKernel unless the CUDA EP option
// enable_skip_layer_norm_strict_mode is set (default off); that kernel (skip_layer_norm_impl.cu) sums in T,
// cub::KeyValuePair<T, T> reduced with half2 adds (KeyValuePairSum in bert/layer_norm.cuh), keeps mu and
// rsigma in T and rounds epsilon to T with maybe2half. Only strict mode runs HostApplyLayerNorm<CudaT,
// float, CudaT, Simplified> (float statistics, float epsilon). A model cannot carry the session's provider
// options, so they count only when the recipe says the user's sessions set it (skipLayerNormStrictMode), and
// the report then names the option (PlanReport.requiredSessionOptions).
// The same holds for a LayerNormalization that onnxruntime will fuse into SkipLayerNormalization:
// core/optimizer/skip_layer_norm_fusion.cc (level 2, CUDA among its EPs) rewrites Add -> LayerNormalization
// (ai.onnx, since-version 1 or 17, float16/float/bfloat16) into SkipLayerNormalization when the Add feeds
// input 0 of the norm, has that one consumer and is not a graph output (plus 3-D operands of equal shape,
// which Castaway's value_info gives it). At fp16 that fused node computes in fp16 without strict mode, so
// such a LayerNormalization is fp32-compute only in strict mode; run fp32, the fusion is fp32 too.
// Not listed: every CPU kernel (the CPU EP has no fp16 Softmax; its fp16 norms are not what speed is
// measured on), DirectML and WebGPU (sources not checked), and target 'any' (the EP is unknown).
import type { TargetEp } from '../api';
import type { IrGraph } from '../ir';
import { normalizeDomain } from '../onnx/domain';
import { toNumber, type NodeProto } from '../onnx/proto-types';

const FP32_COMPUTE: Partial<Record<TargetEp, ReadonlySet<string>>> = {
  cuda: new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'Softmax']),
};

/** Ops with a stash_type attribute: only stash_type 1 (float, the default) promises fp32 statistics. */
const STASHED = new Set(['LayerNormalization', 'SimplifiedLayerNormalization']);

/** com.microsoft ops whose CUDA float16 kernel computes in float32 only with enable_skip_layer_norm_strict_mode. */
const STRICT_MODE_OPS: Partial<Record<TargetEp, ReadonlySet<string>>> = {
  cuda: new Set(['SkipLayerNormalization', 'SkipSimplifiedLayerNormalization']),
};

/** The CUDA EP provider option that strict-mode plans rely on, as the report names it. */
export const SKIP_LAYER_NORM_STRICT_OPTION = 'CUDA EP: enable_skip_layer_norm_strict_mode=1';

export interface Fp32ComputeContext {
  /** The recipe's skipLayerNormStrictMode: the user's CUDA sessions set enable_skip_layer_norm_strict_mode. */
  strictMode: boolean;
  /** Whether onnxruntime will fuse this node into a SkipLayerNormalization (ortFusesIntoSkipLayerNorm). */
  fusesIntoSkipLayerNorm: boolean;
}

/**
 * Whether the target EP's float16 kernel for this node computes in float32 (see the header): 'kernel' by
 * itself, 'strict-mode' only in sessions with enable_skip_layer_norm_strict_mode (and the recipe says so),
 * undefined otherwise.
 */
export function fp32ComputeKind(ep: TargetEp, domain: string, node: NodeProto, ctx: Fp32ComputeContext): 'kernel' | 'strict-mode' | undefined {
  const op = node.opType ?? '';
  if (domain === 'com.microsoft' && STRICT_MODE_OPS[ep]?.has(op)) return ctx.strictMode ? 'strict-mode' : undefined;
  if (domain !== '' || !FP32_COMPUTE[ep]?.has(op)) return undefined;
  if (STASHED.has(op)) {
    const stash = (node.attribute ?? []).find((a) => a.name === 'stash_type');
    if (stash && stash.i !== undefined && stash.i !== null && toNumber(stash.i) !== 1) return undefined;
  }
  if (op === 'LayerNormalization' && ctx.fusesIntoSkipLayerNorm) return ctx.strictMode ? 'strict-mode' : undefined;
  return 'kernel';
}

/** fp32ComputeKind for a node that no fusion touches, in sessions without strict mode. */
export function computesInFp32(ep: TargetEp, domain: string, node: NodeProto): boolean {
  return fp32ComputeKind(ep, domain, node, { strictMode: false, fusesIntoSkipLayerNorm: false }) !== undefined;
}

/**
 * Whether onnxruntime's SkipLayerNormFusion (skip_layer_norm_fusion.cc) can rewrite this node with the Add
 * before it into one SkipLayerNormalization: an ai.onnx LayerNormalization whose input 0 comes from an
 * ai.onnx Add read by nothing else and not a graph output. Its shape checks are left out on purpose (Castaway
 * writes the shapes they need), so this errs towards "fuses", the side that keeps the block's Casts.
 */
export function ortFusesIntoSkipLayerNorm(graph: IrGraph, n: number): boolean {
  const node = graph.nodes[n];
  if (node.opType !== 'LayerNormalization' || normalizeDomain(node.domain) !== '') return false;
  const x = node.input?.[0];
  if (!x) return false;
  // by the slot's value id (ir.ts), not the by-name producer and consumers maps, which a convert never builds
  const id = graph.inputIds[graph.inputStart[n]];
  const producer = id >= 0 ? graph.producerNode[id] : -1;
  if (producer < 0) return false;
  const add = graph.nodes[producer];
  if (add.opType !== 'Add' || normalizeDomain(add.domain) !== '') return false;
  return graph.consumerStart[id + 1] - graph.consumerStart[id] === 1 && !graph.outputs.includes(x);
}
