// Which ops the planner may place in either precision for free. docs/design/engine.md: ops that only move or select
// data, and ops that are exact in any precision, go wherever casts are cheapest; every other float op the
// user did not block is a compute op that runs in fp16.

/** Ops that move, select or compare data without arithmetic rounding: precision is the planner's choice. */
export const FREE_OPS: ReadonlySet<string> = new Set([
  // data movement
  'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements',
  'GatherND', 'Expand', 'Tile', 'Identity', 'Flatten', 'Where', 'Pad', 'SpaceToDepth', 'DepthToSpace',
  'ScatterND', 'ScatterElements', 'Scatter', 'Compress', 'ReverseSequence', 'Dropout', 'Optional',
  'OptionalGetElement', 'SplitToSequence', 'ConcatFromSequence', 'SequenceAt', 'SequenceConstruct',
  'SequenceInsert', 'SequenceErase', 'SequenceLength', 'Trilu', 'Shape', 'Size', 'NonZero', 'CenterCropPad',
  // copies between devices that onnxruntime inserts (they appear in models saved after its optimizer)
  'MemcpyFromHost', 'MemcpyToHost',
  // exact in any precision (the result is one of the inputs, a sign, or a comparison)
  'Relu', 'Max', 'Min', 'Abs', 'Neg', 'MaxPool', 'ReduceMax', 'ReduceMin', 'Sign', 'Floor', 'Ceil', 'Round',
  'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'IsNaN', 'IsInf', 'ArgMax', 'ArgMin', 'TopK',
  'Clip', 'Cast', 'CastLike',
]);

/** Ops that carry subgraphs: their interface keeps its original types and the bodies are planned inside. */
export const CONTROL_FLOW_OPS: ReadonlySet<string> = new Set(['If', 'Loop', 'Scan', 'SequenceMap']);

/** Ops whose float output type comes from an attribute the rewrite knows how to retarget to float16. */
export const RETARGETABLE_OUTPUT_OPS: ReadonlySet<string> = new Set(['Cast', 'ConstantOfShape', 'RandomNormal', 'RandomUniform', 'EyeLike', 'Bernoulli']);

/** Constant nodes are stored data, like initializers: never cut, copied to the precision readers need. */
export function isConstantNode(opType: string | undefined, domain: string): boolean {
  return opType === 'Constant' && domain === '';
}

/** onnxruntime's DEFAULT_OP_BLOCK_LIST (onnxruntime.transformers.float16), used when none is given. */
export const ORT_DEFAULT_OP_BLOCK_LIST: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer',
  'Imputer', 'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder',
  'RandomUniformLike', 'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier',
  'TreeEnsembleRegressor', 'ZipMap', 'NonMaxSuppression', 'TopK', 'RoiAlign', 'Range', 'CumSum', 'Min', 'Max',
  'Upsample',
];

/**
 * Inputs onnxruntime's tool always keeps fp32 (its ALWAYS_FLOAT_INPUTS in onnxruntime/python/tools/
 * transformers/float16.py, 1.30: Resize scales, GroupNorm and SkipGroupNorm gamma and beta), by op type
 * whatever the domain, as that tool matches them; used for the reference count.
 */
export const ORT_ALWAYS_FLOAT_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [2], GroupNorm: [1, 2], SkipGroupNorm: [1, 2] };

/**
 * The same inputs by domain, for the planner: onnxruntime's CUDA GroupNorm/SkipGroupNorm kernels refuse
 * float16 gamma/beta at run time although the contrib schema's M admits float16, so those inputs are fixed
 * fp32 (Resize's scales are float-only in the spec already).
 */
export const ORT_ALWAYS_FLOAT_INPUTS_BY_DOMAIN: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>> = {
  '': { Resize: ORT_ALWAYS_FLOAT_INPUTS.Resize },
  'com.microsoft': { GroupNorm: ORT_ALWAYS_FLOAT_INPUTS.GroupNorm, SkipGroupNorm: ORT_ALWAYS_FLOAT_INPUTS.SkipGroupNorm },
};

/**
 * Ops whose schema admits float16 but whose function body (which onnx.checker expands) mixes in float32
 * constants, so an fp16 instance is rejected by the checker: they stay fp32.
 */
export const FP32_FUNCTION_OPS: ReadonlySet<string> = new Set(['MeanVarianceNormalization']);
