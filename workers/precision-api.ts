// The precision service's RPC surface, declared once: workers/precision.ts implements it inside the model
// worker (on the model that worker holds: decoded once) and src/ui/precision wraps it with comlink over a
// MessageChannel. Model runs go to the runtime worker (onnxruntime-web), so they never block planning.

import type { Recipe } from '../src/core/index';
import type { ErrorMetric, OutputComparison } from '../src/core/index';
import type { PreviewResult } from '../src/core/index';
import type { Suggestion } from '../src/core/index';
import type { InputSpec } from '../src/core/index';
import type { NamedBytes, Outcome } from './model-api';


export interface PrecisionModelInfo {
  /** Symbolic dims of the model's inputs (what the user sets: batch, sequence, ...). */
  symbolicDims: string[];
  inputs: InputSpec[];
  nodeCount: number;
}

/** Seeded inputs from the model's own input types, or the user's files (.npy per input, or one .json). */
export type InputsRequest =
  | { kind: 'seeded'; dims: Record<string, number>; seed: number }
  | { kind: 'files'; dims: Record<string, number>; files: NamedBytes[] };

export interface InputsInfo {
  kind: InputsRequest['kind'];
  inputs: { name: string; type: string; dims: number[] }[];
}

export interface PreviewResponse extends PreviewResult {
  /** The fp32 reference run (cached per inputs; 0 when it was reused). */
  referenceMillis: number;
  totalMillis: number;
  /** Intermediate values exposed as outputs (0 without the per-node view). */
  exposedValues: number;
  /** Where the runs ran: 'wasm' (onnxruntime-web's CPU backend). */
  ep: 'wasm';
}

export type PreviewStage = 'reference' | 'simulate';

export interface SuggestRequest {
  recipe: Recipe;
  metric: ErrorMetric;
  tolerance: number;
  maxEvaluations?: number;
}

export interface WebGpuInfo {
  /** 'no-api': navigator.gpu is missing; 'no-adapter': requestAdapter gave nothing. */
  status: 'available' | 'no-api' | 'no-adapter';
  shaderF16: boolean;
  /** vendor / architecture / description of the adapter, when there is one. */
  adapter?: string;
}

export interface TimedRun {
  /** The EP the model ran on, and why it is not WebGPU when it is not. */
  ep: 'webgpu' | 'wasm';
  fallbackReason?: string;
  median: number;
  p90: number;
  runs: number;
  warmup: number;
  sessionMillis: number;
}

export interface RealRunRequest {
  recipe: Recipe;
  runs: number;
  warmup: number;
  /** Force wasm for both models (a user choice, and what the fallback test uses). */
  wasmOnly?: boolean;
}

export interface RealRunResult {
  webgpu: WebGpuInfo;
  fp32: TimedRun;
  fp16: TimedRun;
  /** The real fp16 model's outputs against the fp32 model's. */
  outputs: OutputComparison[];
}

export interface PrecisionWorkerApi {
  /** Takes the model worker's open model (and drops the inputs and reference of the previous one). */
  open(): Promise<Outcome<PrecisionModelInfo>>;
  setInputs(request: InputsRequest): Promise<Outcome<InputsInfo>>;
  /** `onStage` hears each step as it starts ('reference': the fp32 run, 'simulate': the fp16-simulated run). */
  preview(recipe: Recipe, intermediates: boolean, onStage?: (stage: PreviewStage) => void): Promise<Outcome<PreviewResponse>>;
  suggest(request: SuggestRequest, onProgress: (message: string) => void): Promise<Outcome<Suggestion>>;
  realRun(request: RealRunRequest, onProgress: (message: string) => void): Promise<Outcome<RealRunResult>>;
}
