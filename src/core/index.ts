// The engine's public surface: the one path through which the app, the workers, the CLI, the companion,
// the Node adapters and the scripts import src/core (src/core/boundary.test.ts fails on any other path).
// Pure TypeScript: src/core/tsconfig.json compiles it with no DOM and no Node types.

// the engine: open, summarize, plan, convert, simulate
export * from './api';
export { EngineModel, convertModel, openModel, planModel, simulateModel, simulateModelProto, summarizeModel, type ConvertOptions } from './engine';
export { CastawayError, isCastawayError, type CastawayErrorCode } from './errors';
export { PRESETS, TARGET_EPS, compileRule, makeBlockMatcher, normalizeRecipe, parseRecipe, recipeToCliCommand, serializeRecipe } from './recipe';
export { MAX_RULE_LENGTH, RuleRefused, globMatcher, ruleProblem, type NameRule } from './name-rule';
export { storageSummaryText, touchedTensorsText } from './plan/touched-summary';
export * from './flat-nodes';
export { ORT_DEFAULT_OP_BLOCK_LIST } from './plan/op-classes';
export { convertFloat32BytesToFloat16, type Fp16Stats } from './rewrite/fp16';

// the ONNX format: protobuf types, decode and encode, external data, the graph index
export * from './onnx/proto-types';
export { decodeMessage, decodeModel, encodeMessage, encodeModel, encodeModelPieces, type ProtoMessageName, type ProtoMessages } from './serde';
export {
  EXTERNAL,
  elementCount as tensorElementCount,
  expectedByteLength,
  externalByteLength,
  externalDataInfo,
  externalDataLocations,
  resolveExternalData,
  tensorBytes,
  visitTensors,
  writeExternalData,
  type ExternalDataOptions,
  type ExternalDataResult,
} from './external-data';
export { buildIr, normalizeDomain, type IrGraph, type IrModel } from './ir';
export { parseTypeString, typeCodeToString } from './types/type-codes';

// tensors and precisions
export * from './tensor/index';

// the precision preview
export * from './precision/attribution';
export * from './precision/metrics';
export { evaluateRecipe, inputSpecs, mainFloatOutputs, previewRecipe, runReference, seededInputs, symbolicDims, type OverflowSite, type PreviewResult, type ReferenceRun, type WeightOverflow } from './precision/preview';
export * from './precision/suggest';
export { segmentedRunner, type RunnerStats, type SegmentedRunner } from './precision/segment-runner';
export { pieceProgram, programBuffers, typedPiece, type FedWeight, type PieceProgram, type PieceStep } from './precision/piece-program';
export { MIN_SEGMENTED_NODES, pieceKey, segmentModel, segmentProto, type Segment, type SegmentedModel } from './precision/segments';
export * from './precision/user-inputs';
export * from './precision/default-dims';
export * from './precision/explain-error';
export * from './precision/verdict';

// hand-built models, for tests anywhere
export * from './testing/build-model';
export * from './testing/bert-layer';
export * from './testing/constant-weights';
export * from './testing/conv-encoder';
export * from './testing/control-flow-models';
export * from './testing/ort-optimized';
export * from './testing/random-control-flow';
export * from './testing/residual-norm';
export * from './testing/offset-image';
export * from './testing/upsample-attributes';
