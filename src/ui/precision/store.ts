// The precision panel's state, apart from the app's store (which owns the model, the recipe and the
// graph): what the precision worker last computed, for which model and which recipe.

import { create } from 'zustand';
import type { ErrorMetric } from '../../core/index';
import type { Suggestion } from '../../core/index';
import type { InputsInfo, PrecisionModelInfo, PreviewResponse, RealRunResult, WebGpuInfo } from '../../../workers/precision-api';

export interface PrecisionError {
  /** What failed, in words (from the engine's explainRuntimeError where onnxruntime failed). */
  title: string;
  /** The message as it came (onnxruntime's, with its build paths): shown folded, for a bug report. */
  raw: string;
  /** What to try, when the engine recognized the failure. */
  hint?: string;
}

export interface PreviewProgress {
  /** 0-based step of STEPS in actions.ts. */
  step: number;
  startedAt: number;
}

export interface PrecisionState {
  /** The app model (LoadedModel.seq) the precision worker holds, if any. */
  modelSeq: number | null;
  /** The app model the sizes below were read from (they are set when a model opens, before any run). */
  dimsModelSeq: number | null;
  info: PrecisionModelInfo | null;
  /** Symbolic dims of the model's inputs, from the engine's summary. */
  dimNames: string[];
  dims: Record<string, number>;
  seed: number;
  /** User input files (names only; the bytes go to the worker once). */
  inputFiles: string[];
  inputs: InputsInfo | null;
  /** Whether the inputs changed since the worker last got them. */
  inputsDirty: boolean;
  /** Re-run the preview whenever the block list changes. */
  live: boolean;
  /** Expose every intermediate value for the per-node view (costs a bigger run). */
  perNode: boolean;

  preview: PreviewResponse | null;
  /** JSON of the recipe the preview was computed for. */
  previewRecipe: string | null;
  previewPending: boolean;
  previewProgress: PreviewProgress | null;
  /** Increments when a preview lands (tests wait on it). */
  previewSeq: number;
  /** Per main-graph node, overlay level 0..4 of the error it adds (from the last preview). */
  levels: Uint8Array | null;

  metric: ErrorMetric;
  tolerance: number;
  suggestion: Suggestion | null;
  suggestPending: boolean;
  suggestLog: string[];

  webgpu: WebGpuInfo | null;
  realRun: RealRunResult | null;
  realPending: boolean;
  realProgress: string;
  runs: number;
  warmup: number;
  wasmOnly: boolean;

  error: PrecisionError | null;
}

export const usePrecision = create<PrecisionState>(() => ({
  modelSeq: null,
  dimsModelSeq: null,
  info: null,
  dimNames: [],
  dims: {},
  seed: 0,
  inputFiles: [],
  inputs: null,
  inputsDirty: true,
  live: true,
  perNode: true,

  preview: null,
  previewRecipe: null,
  previewPending: false,
  previewProgress: null,
  previewSeq: 0,
  levels: null,

  metric: 'maxAbs',
  tolerance: 1e-3,
  suggestion: null,
  suggestPending: false,
  suggestLog: [],

  webgpu: null,
  realRun: null,
  realPending: false,
  realProgress: '',
  runs: 20,
  warmup: 3,
  wasmOnly: false,

  error: null,
}));
