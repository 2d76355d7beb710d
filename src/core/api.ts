// The engine's public surface: what the worker, the CLI and the companion call. Pure data in and out
// (structured-clone friendly), so the same types cross the worker boundary unchanged.

import type { LowPrecision } from './tensor/low-precision';

/**
 * A planned precision: fp32, or 'low', the low side of the cut, in whichever low type the recipe chose
 * (Recipe.lowPrecision: fp16 or bf16); the plan, its report and the app's colours are the same for both.
 * Where a person reads it, `precisionName` names the low side by its type.
 */
export type Precision = 'fp32' | 'low';
/** A node's planned precision: 'mixed' when its float slots differ, 'none' when it touches no float32 value. */
export type PlannedPrecision = Precision | 'mixed' | 'none';

/** A planned precision as a person reads it: the low side by its type (fp16 or bf16). */
export function precisionName(precision: PlannedPrecision, low: LowPrecision): string {
  return precision === 'low' ? low : precision;
}
/** The execution providers a recipe can target ('any': no target), in the order the app and the CLI list them. */
export const TARGET_EPS = ['any', 'cuda', 'cpu', 'webgpu', 'dml'] as const;
export type TargetEp = (typeof TARGET_EPS)[number];
export type Objective = 'nodes' | 'bytes';
/** The built-in recipes (core/recipe.ts PRESETS). */
export type PresetId = 'ort-default' | 'norms-softmax-fp32' | 'none';

/**
 * Why a node is (partly) fp32: the recipe's 'op-block-list', 'node-block-list' or 'pattern'; 'ep-kernel'
 * (no float16 kernel on the target EP); 'spec' (the op's type constraint or the engine); 'io'
 * (keepIoTypes); 'cut' (the planner put a free op there).
 */
export type NodeReason = 'op-block-list' | 'node-block-list' | 'pattern' | 'ep-kernel' | 'spec' | 'io' | 'cut';

/** A block list, named like onnxruntime's convert_float_to_float16 arguments. */
export interface Recipe {
  keepIoTypes: boolean;
  /** Op types kept in fp32 (exact op_type match, any domain). */
  opBlockList: string[];
  /** Node names kept in fp32. */
  nodeBlockList: string[];
  /**
   * Name rules kept in fp32: "re:<regex>" is a case-insensitive regular expression searched in the node
   * name (e.g. "re:layer_?norm|softmax"); a rule with '*' is a glob over the whole name ("*LayerNorm*");
   * anything else is a scope prefix ("/encoder/layers.0/").
   */
  patterns: string[];
  targetEp: TargetEp;
  /** Sizes bound to symbolic dims for the bytes objective, e.g. { batch: 1, sequence: 128 }. */
  dims: Record<string, number>;
  objective: Objective;
  /** The one low type of the model: IEEE half (fp16, the default) or bfloat16 (bf16: float32's range, 8 bits of precision). */
  lowPrecision: LowPrecision;
  /**
   * The user's CUDA sessions set onnxruntime's CUDA EP option `enable_skip_layer_norm_strict_mode=1`
   * (off by default). Only then does the float16 SkipLayerNormalization / SkipSimplifiedLayerNormalization
   * kernel compute its statistics in float32, so only then may blocked ones run at fp16 I/O with no Cast
   * (plan/fp32-compute.ts). A session option, not something a model file can carry: the plan's report lists
   * it in `requiredSessionOptions` whenever the converted model relies on it. Default false.
   */
  skipLayerNormStrictMode: boolean;
}

export const DEFAULT_RECIPE: Recipe = {
  keepIoTypes: false,
  opBlockList: [],
  nodeBlockList: [],
  patterns: [],
  targetEp: 'any',
  dims: {},
  objective: 'nodes',
  lowPrecision: 'fp16',
  skipLayerNormStrictMode: false,
};

/** One fp32<->fp16 boundary: a value that needs a Cast, and where. */
export interface CastBoundary {
  value: string;
  /** The Cast's target type. */
  to: Precision;
  /** Flat index of the producing node (main graph first, then bodies; see flat-nodes.ts), or -1 for a graph input / initializer. */
  producer: number;
  /** Flat indices of the nodes that read the cast value (an If/Loop/Scan for a value its body returns). */
  consumers: number[];
  bytes: number;
}

export interface OpTypeStat {
  opType: string;
  domain: string;
  count: number;
  /** Whether each execution provider has a float16 kernel for it at the model's opset ('any' is always true). */
  fp16Kernel: Record<TargetEp, boolean>;
  /** The same for bfloat16 (recipes with lowPrecision 'bf16'): far fewer kernels, none on WebGPU. */
  bf16Kernel: Record<TargetEp, boolean>;
  /** Whether it touches float values at all (pure int/shape ops are irrelevant to the block list). */
  float: boolean;
}

export interface NodeSummary {
  /** Flat index: main-graph nodes first (their index in the main graph), then If/Loop/Scan bodies. */
  index: number;
  name: string;
  /** Graph id: 0 for the main graph, else the body (see ModelSummary.bodies). */
  graph: number;
  /**
   * Where the graph view files the node: its name, or for a body node the body's scope id followed by its
   * name ("/If_0⟨then_branch⟩/Conv_3"), so bodies open like name scopes.
   */
  path: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Attribute values as short text. */
  attributes: Record<string, string>;
  /** Planned precision of the node's float slots; 'none' when it touches no float32 value. */
  precision: PlannedPrecision;
  /** Why it is fp32 when it is. */
  reason?: NodeReason;
  /**
   * Nodes computed from weights and shapes alone (Constants, an Identity of an initializer, Shape and what
   * follows from it) and pure int computations: the graph view folds them away by default.
   */
  foldable: boolean;
  /**
   * Values of the float32 weights this node reads (initializers or Constant nodes) beyond fp16's range
   * (|x| > 65504): clamped if the node runs in fp16, kept exactly if it stays fp32.
   */
  weightsBeyondFp16: number;
}

export interface ValueSummary {
  name: string;
  elemType: number | undefined;
  /** Dims as numbers or symbolic names; undefined when unknown. */
  shape: (number | string)[] | undefined;
  producer: number; // node index, -1 for graph inputs and initializers
  consumers: number[];
  isInitializer: boolean;
  initializerBytes: number;
  /** Bytes of the tensor when a Constant node produces it (a weight stored as a node); 0 otherwise. */
  constantBytes?: number;
}

/** An If/Loop/Scan body: a graph of its own, drawn as a scope inside its control-flow node's scope. */
export interface BodySummary {
  graph: number;
  /** Flat index of the If/Loop/Scan node that owns it. */
  parentNode: number;
  attribute: string;
  /** The scope id the view opens it as. */
  scope: string;
  /** Its own nodes (nested bodies not included). */
  nodeCount: number;
}

export interface ModelSummary {
  /** Every node of every graph, bodies included: the count the status bar, op table and CLI agree on. */
  nodeCount: number;
  /** Nodes of the main graph alone (the first entries of `nodes`). */
  mainNodeCount: number;
  bodies: BodySummary[];
  opsets: Record<string, number>;
  irVersion: number;
  producer: string;
  nodes: NodeSummary[];
  values: ValueSummary[];
  inputs: string[];
  outputs: string[];
  opTypes: OpTypeStat[];
  existingCasts: number;
  /** Bytes of stored data in every graph: initializers and the tensors held by Constant nodes. */
  weightBytes: number;
}

/** A symbolic dim the bytes objective could not size (neither the recipe's dims nor shape inference). */
export interface UnboundDim {
  /** The dim_param as the model declares it. */
  name: string;
  /** The size the bytes objective took for it. */
  assumed: number;
}

export interface PlanReport {
  /** The recipe's low type: the 'low' side of every figure below is stored in it. */
  lowPrecision: LowPrecision;
  /** Casts in the converted model, existing ones included (comparable with onnxruntime's count). */
  castCount: number;
  /** Casts the plan inserts. */
  insertedCasts: number;
  /**
   * Bytes moved by inserted Casts with dims bound per the recipe: under the bytes objective sized as it
   * sizes values (plan/value-sizes.ts), under the nodes objective by declared shapes only; dims nothing
   * sizes count as 1.
   */
  castBytes: number;
  /**
   * Bytes objective only (empty otherwise): declared symbolic dims that neither the recipe's dims nor shape
   * inference from the bound inputs could size, with the size assumed for them. Passing them in dims
   * (--dims) sizes the host copies and Casts that read them.
   */
  unboundDims: UnboundDim[];
  /** Casts onnxruntime's convert_float_to_float16 would leave for the same model and block list. */
  ortReferenceCasts: number;
  /** Share of float weight bytes stored as fp16. */
  fp16WeightShare: number;
  /** Share of estimated FLOPs executed in fp16. */
  fp16FlopShare: number;
  boundaries: CastBoundary[];
  /** Per node, by flat index (main-graph nodes first, in node order, then If/Loop/Scan bodies). */
  nodePrecision: PlannedPrecision[];
  /** Per node (flat index), why it is (partly) fp32 (NodeReason); undefined for fp16 and untyped nodes. */
  nodeReasons: (NodeReason | undefined)[];
  /**
   * Nodes (flat index) the recipe blocks that run at fp16 I/O anyway because the target EP's float16 kernel
   * computes in fp32 (LayerNormalization, SimplifiedLayerNormalization, Softmax on CUDA): the block is kept
   * in substance, without its Casts (plan/fp32-compute.ts).
   */
  fp32ComputeNodes: number[];
  /**
   * Session options the converted model needs for the accuracy the recipe asks for (one line each, e.g.
   * "CUDA EP: enable_skip_layer_norm_strict_mode=1"): set when an fp32-compute node relies on the recipe's
   * skipLayerNormStrictMode. Without them onnxruntime still runs the model, with fp16 norm statistics.
   */
  requiredSessionOptions: string[];
  /**
   * Stored values (initializers, Constants) changed beyond rounding when converted to fp16: clamped to
   * +-65504, or nonzero values that would round to 0 raised to +-2^-24 (as onnxruntime's tool does; an
   * epsilon of 0 divides by zero and stops onnxruntime's LayerNorm fusion).
   */
  clampedValues: number;
  raisedValues: number;
  /** Which tensors hold those values, in model order. */
  touchedTensors: TouchedTensor[];
  planMillis: number;
}

/** A stored tensor whose fp16 copy clamps or raises some values. */
export interface TouchedTensor {
  name: string;
  clamped: number;
  raised: number;
}

export interface ConvertResult {
  /** The model file (empty when `pieces` is given). */
  bytes: Uint8Array;
  /** With ConvertOptions.pieces: the model file as pieces to write one after another, in place of `bytes`. */
  pieces?: Uint8Array[];
  /** Extra data files when the model is written with external data (empty arrays when `externalPieces` is given). */
  externalFiles: Record<string, Uint8Array>;
  /** With ConvertOptions.pieces: each external data file as pieces to write one after another. */
  externalPieces?: Record<string, Uint8Array[]>;
  report: PlanReport;
}
