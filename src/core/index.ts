// The engine's public surface: the one path through which the app, the workers, the CLI, the companion,
// the Node adapters and the scripts import src/core (src/core/boundary.test.ts fails on any other path).
// Pure TypeScript: src/core/tsconfig.json compiles it with no DOM and no Node types.

// the engine: open, summarize, plan, convert, simulate
export * from './api';
export { EngineModel, convertModel, openModel, planModel, simulateModel, summarizeModel } from './engine';
export { CastawayError, isCastawayError, type CastawayErrorCode } from './errors';
export { PRESETS, TARGET_EPS, compileRule, normalizeRecipe, parseRecipe, recipeToCliCommand, serializeRecipe } from './recipe';
export { ruleProblem } from './name-rule';
export { storageSummaryText, touchedTensorsText } from './plan/touched-summary';
export { unboundDimsText } from './plan/value-sizes';
export * from './flat-nodes';
export { ORT_DEFAULT_OP_BLOCK_LIST } from './plan/op-classes';
export { convertFloat32BytesToFloat16, convertFloat32BytesToFloat16Into } from './rewrite/fp16';
export type { Fp16Converter, Fp16Stats } from './rewrite/fp16';

// the ONNX format: protobuf types, decode and encode, external data, the graph index
export { concatBytes } from './bytes';
export * from './onnx/proto-types';
export { decodeMessage, decodeModel, encodeMessage, encodeModel } from './serde';
export {
  EXTERNAL,
  externalByteLength,
  externalDataInfo,
  tensorBytes,
  siteWhere,
  writeExternalData,
} from './external-data';
export { buildIr } from './ir';
export { domainLabel } from './onnx/domain';
export { parseTypeString } from './types/type-codes';

// tensors and precisions
export * from './tensor/index';

// the precision preview
export * from './precision/attribution';
export * from './precision/metrics';
export { evaluateRecipe, inputSpecs, mainFloatOutputs, previewRecipe, runReference, seededInputs, symbolicDims, type PreviewResult, type ReferenceRun } from './precision/preview';
export * from './precision/suggest';
export { segmentedRunner } from './precision/segment-runner';
export { pieceProgram, programBuffers, type PieceProgram } from './precision/piece-program';
export { segmentModel } from './precision/segments';
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
export * from './testing/vit-like';
