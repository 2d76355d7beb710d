// Where the pieced preview's time goes, in Node with onnxruntime-web's wasm EP (the runtime worker's
// runtime), phase by phase: simulate, split, piece models, session creation, runs, attribution.
//   npx tsx scripts/profile-pieces.ts [fixtures/bench/pegasus-deep64-o14-decoder.onnx] [outputs]
import { readFileSync } from 'node:fs';
import * as ortWeb from 'onnxruntime-web';
import { DEFAULT_RECIPE, decodeModel, openModel, previewRecipe, runReference, seededInputs, segmentModel, segmentedRunner, simulateModel, type OrtBinding, type RunModel } from '../src/core/index';

const [file = 'fixtures/bench/pegasus-deep64-o14-decoder.onnx', mode = ''] = process.argv.slice(2);
ortWeb.env.wasm.numThreads = 1;
const intermediates = mode !== 'outputs';
const t = () => performance.now();
let t0 = t();
const model = openModel(new Uint8Array(readFileSync(file)));
console.log(`open ${(t() - t0).toFixed(0)} ms, ${model.ir.main.nodes.length} nodes`);
const inputs = seededInputs(model, { batch: 1, seq: 16 }, 0);
for (const reference of [true, false]) {
  t0 = t();
  const sim = simulateModel(model, DEFAULT_RECIPE, { reference, exposeIntermediates: intermediates });
  const simMs = t() - t0;
  t0 = t();
  const decoded = decodeModel(sim.bytes);
  const decodeMs = t() - t0;
  const seg = segmentModel(decoded)!;
  console.log(`${reference ? 'reference' : 'simulated'}: simulate ${simMs.toFixed(0)} ms (${(sim.bytes.length / 1e6).toFixed(1)} MB), decode ${decodeMs.toFixed(0)} ms, ${seg.segments.length} pieces, nodes per piece ${seg.segments.map((s) => s.nodes.length).join(',')}`);
}
const runner = segmentedRunner(ortWeb as unknown as OrtBinding, { executionProviders: ['wasm'] });
let runMs = 0;
const timed: RunModel = async (bytes, feeds) => {
  const a = t();
  try {
    return await runner(bytes, feeds);
  } finally {
    runMs += t() - a;
  }
};
t0 = t();
const ref = await runReference(model, inputs, timed, { intermediates });
const refMs = t() - t0;
console.log(`reference total ${refMs.toFixed(0)} ms (runner ${runMs.toFixed(0)} ms) ${JSON.stringify(runner.stats)}`);
runMs = 0;
t0 = t();
const preview = await previewRecipe(model, DEFAULT_RECIPE, inputs, ref, timed);
console.log(`simulated total ${(t() - t0).toFixed(0)} ms (runner ${runMs.toFixed(0)} ms, simulate ${preview.simulateMillis.toFixed(0)} ms) ${JSON.stringify(runner.stats)}`);
console.log(`cosine ${preview.outputs.map((o) => o.cosine).join(',')} maxAbs ${preview.outputs.map((o) => o.maxAbs).join(',')} nodes ${preview.nodes.length}`);
runMs = 0;
t0 = t();
const again = await previewRecipe(model, { ...DEFAULT_RECIPE, opBlockList: ['Softmax'] }, inputs, ref, timed);
console.log(`second recipe ${(t() - t0).toFixed(0)} ms (runner ${runMs.toFixed(0)} ms) ${JSON.stringify(runner.stats)} maxAbs ${again.outputs[0].maxAbs}`);
await runner.clear();
