// The runtime worker: onnxruntime-web (wasm, WebGPU) behind the engine's onnxruntime port. It runs the
// models the model worker's precision service sends it (workers/runtime-api.ts) and detects WebGPU. It
// never decodes the user's model (decoded once per page, in the model worker); the preview's simulated
// models come split into pieces (pieceProgram, built in the model worker), so it never decodes those either.

import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
// The preview's runs use onnxruntime-web's wasm-only build: without WebGPU's JSEP layer between the runtime
// and each kernel call, the 64-layer decoder's ~190 piece runs and session creations go faster (see
// docs/precision.md, "Speed"). The WebGPU-capable build (real runs) loads its own binary when first used.
import * as ortWasm from 'onnxruntime-web/wasm';
// Served by Vite from the installed package (no CDN): the glue is bundled, only the binaries are fetched.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import plainWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { DataType, encodeModel, floatOutputs, ortFeeds, packedBuffers, packValues, PREVIEW_SESSION_OPTIONS, runStats, segmentedRunner, type OrtBinding, type OrtSession, type PackedValues } from '../src/core/index';
import { attempt } from './outcome';
import type { TimedRun, WebGpuInfo } from './precision-api';
import type { RuntimeWorkerApi, RuntimeWorkerEndpoint } from './runtime-api';
import { detectWebGpu, navigatorGpu } from './webgpu';

ort.env.wasm.wasmPaths = { wasm: wasmUrl };
// One thread, whatever the page's isolation. The preview already runs two runtime workers side by side
// (the reference and the simulated model), and a page served cross-origin isolated (COOP/COEP, where
// onnxruntime-web was asked for threads) never finished a preview (docs/ci.md, "Third pass, browser").
// Vite's servers send no COOP/COEP, so one thread is also what every user had.
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
ortWasm.env.wasm.wasmPaths = { wasm: plainWasmUrl };
ortWasm.env.wasm.numThreads = ort.env.wasm.numThreads;
ortWasm.env.logLevel = 'error';

const binding = ortWasm as unknown as OrtBinding;
// In layer-sized pieces with their sessions kept (docs/precision.md, "Speed"): one session over a whole
// 10k-node model takes minutes to create. Sessions of an earlier model age out of its bounded cache.
const wasmRun = segmentedRunner(binding, { executionProviders: ['wasm'] });

/**
 * Loads onnxruntime-web's wasm (fetch, compile, start: 1-2 s on a loaded 2-core machine) as soon as the
 * worker starts, with a one-node session. The page starts this worker when a run is first asked for, or
 * a moment before (the pointer or the focus in the precision panel, src/ui/precision/actions.ts), never
 * merely because a model opened. Runs do not wait on it: onnxruntime-web starts its wasm once, whoever asks first.
 */
function warmUp(): void {
  const x = { name: 'x', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } };
  const bytes = encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'warm-up', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [x], output: [{ ...x, name: 'y' }] },
  });
  ortWasm.InferenceSession.create(bytes, { ...PREVIEW_SESSION_OPTIONS, executionProviders: ['wasm'] })
    .then((session) => session.release())
    .catch(() => undefined); // a failing start shows on the first real run, with its message
}
warmUp();

let webgpuInfo: Promise<WebGpuInfo> | null = null;

/**
 * Float outputs handed back as one buffer (packValues): posted as a record, each of a per-node preview's
 * ~7,000 arrays would be a transfer of its own.
 */
function transferred(outputs: Record<string, Float32Array>): PackedValues {
  const packed = packValues(outputs);
  return Comlink.transfer(packed, packedBuffers(packed));
}

const api: RuntimeWorkerApi = {
  async run(bytes, feeds) {
    const outcome = await attempt(() => wasmRun(bytes, feeds));
    // Where the runner's time went (sessions created / re-used, ms per phase): read by the benchmark.
    console.debug(`castaway:preview-runner ${JSON.stringify({ worker: self.name, ...wasmRun.stats })}`);
    return outcome.ok ? { ok: true, value: transferred(outcome.value) } : outcome;
  },

  async runPieces(program, feeds) {
    const outcome = await attempt(() => wasmRun.runProgram(program, feeds));
    console.debug(`castaway:preview-runner ${JSON.stringify({ worker: self.name, ...wasmRun.stats })}`);
    return outcome.ok ? { ok: true, value: transferred(outcome.value) } : outcome;
  },

  async time(model, feeds, ep, runs, warmup, fallbackReason) {
    return attempt(async () => {
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
        const ortInputs = ortFeeds(ort as unknown as OrtBinding, session, feeds);
        let last: Record<string, Float32Array> = {};
        for (let i = 0; i < warmup; i++) last = floatOutputs(await session.run(ortInputs));
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const start = performance.now();
          const results = await session.run(ortInputs);
          times.push(performance.now() - start);
          if (i === runs - 1) last = floatOutputs(results);
        }
        const stats = runStats(times);
        const timed: TimedRun = { ep, fallbackReason, median: stats.median, p90: stats.p90, runs: stats.runs, warmup, sessionMillis };
        return { timed, outputs: last };
      } finally {
        await session.release();
      }
    });
  },

  async webgpu() {
    return (webgpuInfo ??= detectWebGpu(navigatorGpu()));
  },
};

const endpoint: RuntimeWorkerEndpoint = {
  async serve(port) {
    Comlink.expose(api, port);
  },
};

Comlink.expose(endpoint);
