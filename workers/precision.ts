// The precision service: numeric error preview, block-list suggestion and real runs. It runs inside the
// model worker, on the model that worker already decoded (one decode per page), and sends every model run
// to the runtime worker (onnxruntime-web, workers/runtime.worker.ts), so runs never block planning. A thin
// adapter: the engine (src/core/precision) computes every number; this file owns the cached fp32 reference
// run and the chosen inputs.

import * as Comlink from 'comlink';
import type { Recipe } from '../src/core/index';
import { convertModel, encodeModel, pieceProgram, planModel, programBuffers, unpackValues, type EngineModel } from '../src/core/index';
import { compareArrays } from '../src/core/index';
import { evaluateRecipe, inputSpecs, mainFloatOutputs, previewRecipe, runReference, seededInputs, symbolicDims, type ReferenceRun } from '../src/core/index';
import { nodeNeighbours, suggestBlockList } from '../src/core/index';
import { rankNodes } from '../src/core/index';
import type { HostTensor, RunModel } from '../src/core/index';
import { bindUserInputs, parseJsonInputs, parseNpy, type ParsedArray } from '../src/core/index';
import type { NamedBytes } from './model-api';
import { attempt, type Outcome } from './outcome';
import type { InputsRequest, PrecisionWorkerApi } from './precision-api';
import type { RuntimeWorkerApi } from './runtime-api';

/** The model worker's open model: the decoded model and the file it came from (for the real fp32 run). */
export interface OpenModel {
  model: EngineModel;
  source: { bytes: Uint8Array; externalFiles: NamedBytes[] };
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}

/** Bytes that own their whole buffer can be handed over; a view into a buffer still in use is copied. */
function handOver(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]) : bytes;
}

/**
 * The precision API over the model worker's open model (`current`) and a runtime worker; the simulated
 * models run on `simulation` (a second runtime worker, or the same one), so a first preview's simulated
 * model runs while the fp32 reference does, on another core: the two never share a session anyway.
 */
export function precisionService(
  current: () => OpenModel | null,
  runtime: Comlink.Remote<RuntimeWorkerApi>,
  simulation: Comlink.Remote<RuntimeWorkerApi> = runtime,
): PrecisionWorkerApi {
  /** The model the service computed for; another model on the model worker drops the inputs and reference. */
  let opened: OpenModel | null = null;
  let inputs: HostTensor[] = [];
  let inputsKind: InputsRequest['kind'] = 'seeded';
  /** The fp32 reference per inputs and intermediates setting; a new model or new inputs drop it. */
  let reference: { intermediates: boolean; run: ReferenceRun } | null = null;

  // Simulated models are made for one run and handed over; the inputs are cloned (they are reused). A large
  // model goes split into pieces (pieceProgram), so neither worker encodes or decodes all of it.
  const runOn =
    (worker: Comlink.Remote<RuntimeWorkerApi>): RunModel =>
    async (model, feeds) => {
      const program = model instanceof Uint8Array ? null : pieceProgram(model);
      // The values come back packed in one buffer; the record read here holds views into it.
      if (program) return unpackValues(unwrap(await worker.runPieces(Comlink.transfer(program, programBuffers(program)), [...feeds])));
      return unpackValues(unwrap(await worker.run(handOver(model instanceof Uint8Array ? model : encodeModel(model)), [...feeds])));
    };
  const wasmRun = runOn(runtime);
  const simulatedRun = runOn(simulation);

  function requireModel(): EngineModel {
    if (!opened || opened !== current()) throw new Error('The model changed: open it in the precision panel again');
    return opened.model;
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

  return {
    async open() {
      return attempt(() => {
        const now = current();
        if (!now) throw new Error('No model is open');
        opened = now;
        reference = null;
        inputs = seededInputs(now.model, {}, 0);
        inputsKind = 'seeded';
        return { symbolicDims: symbolicDims(now.model), inputs: inputSpecs(now.model, {}), nodeCount: now.model.ir.main.nodes.length };
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

    async preview(recipe: Recipe, intermediates: boolean, onStage) {
      return attempt(async () => {
        const m = requireModel();
        const t0 = performance.now();
        void onStage?.('reference');
        // The simulated model is built and sent while the runtime worker runs the reference (which it
        // finishes first: it takes runs in order).
        const pending = referenceFor(intermediates).then((ref) => {
          void onStage?.('simulate');
          return { ...ref, run: intermediates === (ref.run.exposed.length > 0) ? ref.run : { ...ref.run, exposed: [] } };
        });
        const result = await previewRecipe(m, recipe, inputs, { pending: pending.then((ref) => ref.run), intermediates }, simulatedRun);
        const ref = await pending;
        return { ...result, referenceMillis: ref.millis, totalMillis: performance.now() - t0, exposedValues: ref.run.exposed.length, ep: 'wasm' as const };
      });
    },

    async suggest(request, onProgress) {
      return attempt(async () => {
        const m = requireModel();
        const ref = (await referenceFor(true)).run;
        const first = await previewRecipe(m, request.recipe, inputs, ref, simulatedRun);
        const summary = m.summary();
        const ranked = rankNodes(first.nodes).map((n) => n.name);
        return suggestBlockList({
          base: request.recipe,
          metric: request.metric,
          tolerance: request.tolerance,
          ranked,
          evaluate: (recipe) => evaluateRecipe(m, recipe, inputs, ref, simulatedRun),
          castCount: (recipe) => planModel(m, recipe).castCount,
          neighbours: nodeNeighbours(summary.nodes),
          maxEvaluations: request.maxEvaluations,
          onProgress: (message) => void onProgress(message),
        });
      });
    },

    async realRun(request, onProgress) {
      return attempt(async () => {
        const m = requireModel();
        const source = opened!.source;
        const gpu = await runtime.webgpu();
        const converted = convertModel(m, request.recipe);
        const fp16Model = {
          bytes: handOver(converted.bytes),
          externalFiles: Object.entries(converted.externalFiles).map(([name, bytes]) => ({ name, bytes: handOver(bytes) })),
        };
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
        // The fp32 file is copied on the way (the engine keeps views into it).
        const fp32Model = { bytes: handOver(source.bytes.slice()), externalFiles: source.externalFiles.map((f) => ({ name: f.name, bytes: handOver(f.bytes.slice()) })) };
        const a = unwrap(await runtime.time(fp32Model, inputs, fp32Ep, request.runs, request.warmup, gpuReason));
        onProgress(`fp16 on ${fp16Ep}`);
        const b = unwrap(await runtime.time(fp16Model, inputs, fp16Ep, request.runs, request.warmup, fp16Reason));
        const outputs = mainFloatOutputs(m).flatMap((name) => (a.outputs[name] && b.outputs[name] ? [compareArrays(name, a.outputs[name], b.outputs[name])] : []));
        return { webgpu: gpu, fp32: a.timed, fp16: b.timed, outputs };
      });
    },
  };
}
