// Where the preview's time goes, in Node with onnxruntime-web's wasm EP (the worker's runtime) or
// onnxruntime-node: simulate (build + encode), session creation and run, for the fp32 reference and the
// simulated model, per graph optimization level.
//   npx tsx scripts/profile-preview.ts fixtures/bench/pegasus-deep64-o14-decoder.onnx [web|node] [basic,disabled] [intermediates]
import { readFileSync } from 'node:fs';
import { floatOutputs, openModel, ortFeeds, seededInputs, simulateModel, type OrtBinding, type OrtSession } from '../src/core/index';

const [file, runtime = 'web', levels = 'basic', mode = ''] = process.argv.slice(2);
const ort = (runtime === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web')) as unknown as OrtBinding & { env: { wasm: { numThreads: number } } };
if (runtime !== 'node') ort.env.wasm.numThreads = 1;
const intermediates = mode === 'intermediates';

const t = () => performance.now();
let t0 = t();
const model = openModel(new Uint8Array(readFileSync(file)));
console.log(`open ${(t() - t0).toFixed(0)} ms, ${model.ir.main.nodes.length} nodes`);
const inputs = seededInputs(model, { batch: 1, seq: 16, sequence: 16 }, 1);
for (const [label, reference] of [['fp32 reference', true], ['simulated', false]] as const) {
  t0 = t();
  const sim = simulateModel(model, {}, { reference, exposeIntermediates: intermediates });
  const simMs = t() - t0;
  for (const level of levels.split(',')) {
    t0 = t();
    const session = (await ort.InferenceSession.create(sim.bytes, { graphOptimizationLevel: level, logSeverityLevel: 4, executionProviders: [runtime === 'node' ? 'cpu' : 'wasm'] })) as OrtSession;
    const createMs = t() - t0;
    t0 = t();
    const out = floatOutputs(await session.run(ortFeeds(ort, session, inputs)));
    const runMs = t() - t0;
    await session.release();
    console.log(`${label} [${level}]: simulate ${simMs.toFixed(0)} ms (${(sim.bytes.length / 1e6).toFixed(1)} MB, ${sim.exposed.length} exposed), create ${createMs.toFixed(0)} ms, run ${runMs.toFixed(0)} ms, ${Object.keys(out).length} outputs`);
  }
}
