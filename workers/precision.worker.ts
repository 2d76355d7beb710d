// The precision worker: numeric error preview, block-list suggestion and real runs with onnxruntime-web.
// A thin adapter: the engine (src/core/precision) computes every number; this file owns the runtime, the
// cached fp32 reference run and the WebGPU detection.

import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
// Served by Vite from the installed package (no CDN): the glue is bundled, only the binary is fetched.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import type { Recipe } from '../src/core/api';
import { convertModel, openModel, planModel, type EngineModel } from '../src/core/engine';
import { isCastawayError } from '../src/core/errors';
import { compareArrays, timingStats } from '../src/core/precision/metrics';
import { floatOutputs, ortFeeds, PREVIEW_SESSION_OPTIONS, type OrtBinding, type OrtSession } from '../src/core/precision/ort-runner';
import { segmentedRunner } from '../src/core/precision/segment-runner';
import { evaluateRecipe, inputSpecs, mainFloatOutputs, previewRecipe, runReference, seededInputs, symbolicDims, type ReferenceRun } from '../src/core/precision/preview';
import { nodeNeighbours, suggestBlockList } from '../src/core/precision/suggest';
import { rankNodes } from '../src/core/precision/attribution';
import type { HostTensor } from '../src/core/precision/tensors';
import { bindUserInputs, parseJsonInputs, parseNpy, type ParsedArray } from '../src/core/precision/user-inputs';
import type { NamedBytes, WorkerError } from './model-api';
import type { InputsRequest, Outcome, PrecisionWorkerApi, TimedRun, WebGpuInfo } from './precision-api';

ort.env.wasm.wasmPaths = { wasm: wasmUrl };
// Threads need cross-origin isolation (SharedArrayBuffer); without it onnxruntime-web runs one thread.
ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
ort.env.logLevel = 'error';

const binding = ort as unknown as OrtBinding;
// In layer-sized pieces with their sessions kept: one session over a whole 10k-node model takes minutes
// to create (docs/precision.md, "Speed").
const wasmRun = segmentedRunner(binding, { executionProviders: ['wasm'] });

let model: EngineModel | null = null;
/** The fp32 model as opened (bytes and external-data files), for the real runs. */
let source: { bytes: Uint8Array; externalFiles: NamedBytes[] } | null = null;
let inputs: HostTensor[] = [];
let inputsKind: InputsRequest['kind'] = 'seeded';
/** The fp32 reference per inputs and intermediates setting; a new model or new inputs drop it. */
let reference: { intermediates: boolean; run: ReferenceRun } | null = null;

function toWorkerError(error: unknown): WorkerError {
  if (isCastawayError(error)) return { code: error.code, message: error.message, where: error.where };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), where: '' };
}

async function attempt<T>(work: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toWorkerError(error) };
  }
}

function requireModel(): EngineModel {
  if (!model) throw new Error('No model is open in the precision worker');
  return model;
}

async function referenceFor(intermediates: boolean): Promise<{ run: ReferenceRun; millis: number }> {
  // A reference with intermediates serves a request without them too (it has the outputs).
  if (reference && (reference.intermediates || !intermediates)) return { run: reference.run, millis: 0 };
  const run = await runReference(requireModel(), inputs, wasmRun, { intermediates });
  reference = { intermediates, run };
  return { run, millis: run.runMillis };
}

function describeInputs() {
  return { kind: inputsKind, inputs: inputs.map((t) => ({ name: t.name, type: t.type, dims: t.dims })) };
}

let webgpuInfo: Promise<WebGpuInfo> | null = null;

async function detectWebGpu(): Promise<WebGpuInfo> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { status: 'no-api', shaderF16: false };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { status: 'no-adapter', shaderF16: false };
  const info = adapter.info ?? {};
  const described = [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ');
  return { status: 'available', shaderF16: adapter.features.has('shader-f16'), adapter: described || 'unknown adapter' };
}

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string };
}

async function timeModel(
  model: { bytes: Uint8Array; externalFiles: NamedBytes[] },
  ep: 'webgpu' | 'wasm',
  runs: number,
  warmup: number,
  fallbackReason?: string,
) {
  const t0 = performance.now();
  const externalData = model.externalFiles.map((file) => ({ path: file.name, data: file.bytes }));
  const session = (await ort.InferenceSession.create(model.bytes, {
    ...PREVIEW_SESSION_OPTIONS,
    graphOptimizationLevel: 'all',
    executionProviders: [ep],
    ...(externalData.length ? { externalData } : {}),
  })) as unknown as OrtSession;
  const sessionMillis = performance.now() - t0;
  try {
    const feeds = ortFeeds(binding, session, inputs);
    let last: Record<string, Float32Array> = {};
    for (let i = 0; i < warmup; i++) last = floatOutputs(await session.run(feeds));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const results = await session.run(feeds);
      times.push(performance.now() - start);
      if (i === runs - 1) last = floatOutputs(results);
    }
    const stats = timingStats(times);
    const timed: TimedRun = { ep, fallbackReason, median: stats.median, p90: stats.p90, runs: stats.runs, warmup, sessionMillis };
    return { timed, outputs: last };
  } finally {
    await session.release();
  }
}

const api: PrecisionWorkerApi = {
  async open(bytes, externalFiles) {
    return attempt(async () => {
      const externals = new Map(externalFiles.map((file) => [file.name, file.bytes] as const));
      const opened = openModel(bytes, externals.size ? externals : undefined);
      await wasmRun.clear(); // the last model's pieces
      model = opened;
      source = { bytes, externalFiles };
      reference = null;
      inputs = seededInputs(opened, {}, 0);
      inputsKind = 'seeded';
      return { symbolicDims: symbolicDims(opened), inputs: inputSpecs(opened, {}), nodeCount: opened.ir.main.nodes.length };
    });
  },

  async setInputs(request) {
    return attempt(() => {
      const m = requireModel();
      if (request.kind === 'seeded') {
        inputs = seededInputs(m, request.dims, request.seed);
      } else {
        const given: Record<string, ParsedArray> = {};
        for (const file of request.files) {
          if (/\.json$/i.test(file.name)) Object.assign(given, parseJsonInputs(new TextDecoder().decode(file.bytes), file.name));
          else given[file.name.replace(/\.npy$/i, '')] = parseNpy(file.bytes, file.name);
        }
        inputs = bindUserInputs(inputSpecs(m, request.dims), given);
      }
      inputsKind = request.kind;
      reference = null;
      return describeInputs();
    });
  },

  async preview(recipe: Recipe, intermediates: boolean) {
    return attempt(async () => {
      const m = requireModel();
      const t0 = performance.now();
      const ref = await referenceFor(intermediates);
      const run = intermediates === (ref.run.exposed.length > 0) ? ref.run : { ...ref.run, exposed: [] };
      const result = await previewRecipe(m, recipe, inputs, run, wasmRun);
      // Where the runner's time went (sessions created / re-used, ms per phase): read by the benchmark.
      console.debug(`castaway:preview-runner ${JSON.stringify(wasmRun.stats)}`);
      return { ...result, referenceMillis: ref.millis, totalMillis: performance.now() - t0, exposedValues: run.exposed.length, ep: 'wasm' as const };
    });
  },

  async suggest(request, onProgress) {
    return attempt(async () => {
      const m = requireModel();
      const ref = (await referenceFor(true)).run;
      const first = await previewRecipe(m, request.recipe, inputs, ref, wasmRun);
      const summary = m.summary();
      const ranked = rankNodes(first.nodes).map((n) => n.name);
      return suggestBlockList({
        base: request.recipe,
        metric: request.metric,
        tolerance: request.tolerance,
        ranked,
        evaluate: (recipe) => evaluateRecipe(m, recipe, inputs, ref, wasmRun),
        castCount: (recipe) => planModel(m, recipe).castCount,
        neighbours: nodeNeighbours(summary.nodes),
        maxEvaluations: request.maxEvaluations,
        onProgress: (message) => void onProgress(message),
      });
    });
  },

  async webgpu() {
    return (webgpuInfo ??= detectWebGpu());
  },

  async realRun(request, onProgress) {
    return attempt(async () => {
      const m = requireModel();
      const gpu = await (webgpuInfo ??= detectWebGpu());
      const converted = convertModel(m, request.recipe);
      const fp16Model = { bytes: converted.bytes, externalFiles: Object.entries(converted.externalFiles).map(([name, bytes]) => ({ name, bytes })) };
      const gpuReason = request.wasmOnly
        ? 'wasm chosen'
        : gpu.status === 'no-api'
          ? 'WebGPU is not available in this browser (navigator.gpu is missing)'
          : gpu.status === 'no-adapter'
            ? 'WebGPU has no adapter here'
            : undefined;
      const fp32Ep = gpuReason ? 'wasm' : 'webgpu';
      const fp16Reason = gpuReason ?? (gpu.shaderF16 ? undefined : `the WebGPU adapter (${gpu.adapter}) lacks shader-f16`);
      const fp16Ep = fp16Reason ? 'wasm' : 'webgpu';
      onProgress(`fp32 on ${fp32Ep}`);
      const a = await timeModel(source!, fp32Ep, request.runs, request.warmup, gpuReason);
      onProgress(`fp16 on ${fp16Ep}`);
      const b = await timeModel(fp16Model, fp16Ep, request.runs, request.warmup, fp16Reason);
      const outputs = mainFloatOutputs(m).flatMap((name) => (a.outputs[name] && b.outputs[name] ? [compareArrays(name, a.outputs[name], b.outputs[name])] : []));
      return { webgpu: gpu, fp32: a.timed, fp16: b.timed, outputs };
    });
  },
};

Comlink.expose(api);
