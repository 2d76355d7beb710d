// bf16 as the low type on the real fixtures and in onnxruntime-node (CPU): every fixture converts with
// bfloat16 (elem type 16) as its only low type, nothing clamped,
// and onnx.checker (full_check) accepts it. onnxruntime's CPU EP has bfloat16 kernels for data movement
// only (Cast, Reshape, Transpose, Gather, ...; no MatMul, Add or Softmax), so a bf16 model for target 'any'
// or 'cuda' does not run there; what runs there is the precision preview's simulation (float32 graph,
// values rounded through Cast(bfloat16) -> Cast(float), which the CPU EP has), checked here against the
// fp32 model, and a bf16 conversion for target 'cpu', which keeps every op without a CPU bf16 kernel fp32.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import * as ortWeb from 'onnxruntime-web';
import { DEFAULT_RECIPE, DataType, buildModel, ortRunner, segmentedRunner, type OrtBinding, convertModel, decodeModel, encodeModel, floatTensor, node, openModel, previewRecipe, runReference, seededInputs, simulateModel, summarizeModel, valueInfo, type ModelProto } from '../core/index';
import { FIXTURES, fixtureRecipes, type RecipeName } from './fixture-recipes';
import { checkModels, checkerAvailable } from './onnx-checker';
import { compareModels, nodeRunner, type Feeds } from './ort-node';

const RECIPES: RecipeName[] = ['no-block-list', 'norms-softmax-scope', 'ort-default'];
/** The two large fixtures take most of the time (gpt2-deep200: 43,720 nodes): two recipes each. */
const LARGE = new Set(['gpt2-deep200-o14', 'pegasus-deep64-o14-encoder']);
const BF16 = 'bf16' as const;

/** Every element type a model declares or stores (value infos, graph io, initializers, Cast targets). */
function elemTypes(model: ModelProto): Set<number> {
  const g = model.graph!;
  const types = new Set<number>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) if (v.type?.tensorType?.elemType) types.add(v.type.tensorType.elemType);
  for (const t of g.initializer ?? []) if (t.dataType) types.add(t.dataType);
  for (const n of g.node ?? []) if (n.opType === 'Cast') types.add(Number(n.attribute?.find((a) => a.name === 'to')?.i ?? 0));
  return types;
}

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/models/${name}.onnx`, import.meta.url)));
}

describe('bf16 on every fixture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-bf16-'));
  const written: string[] = [];
  const rows: string[] = [];

  it.each(FIXTURES)('%s converts with bfloat16 as its one low type', (fixture) => {
    const model = openModel(load(fixture));
    const recipes = fixtureRecipes(summarizeModel(model));
    for (const name of LARGE.has(fixture) ? RECIPES.slice(0, 2) : RECIPES) {
      const result = convertModel(model, { ...recipes[name], lowPrecision: BF16 });
      const r = result.report;
      // No comparison with onnxruntime's Cast count here: its tool has no bf16 mode, and at opset 14 ONNX
      // itself keeps Pow (bfloat16 from Pow-15) and Where (from Where-16) out of bf16, so bf16 pays Casts
      // around them that fp16 does not (3 per gpt2 layer). Optimality is the planner tests' (brute force).
      expect([r.clampedValues, r.raisedValues]).toEqual([0, 0]);
      const types = elemTypes(decodeModel(result.bytes));
      expect(types.has(DataType.FLOAT16), `${fixture} ${name}: no float16 anywhere`).toBe(false);
      if (name !== 'ort-default') expect(types.has(DataType.BFLOAT16), `${fixture} ${name}`).toBe(true);
      rows.push(`| ${fixture} | ${name} | ${r.castCount} | ${(100 * r.fp16WeightShare).toFixed(0)}% |`);
      const file = join(dir, `${fixture}.${name}.bf16.onnx`);
      writeFileSync(file, result.bytes);
      written.push(file);
    }
  }, 120_000);

  it.runIf(checkerAvailable())('onnx.checker accepts every bf16 model (full_check)', () => {
    const results = checkModels(written);
    expect(results.length).toBe(written.length);
    for (const result of results) {
      if (result.status === 'skipped') {
        expect(result.path).toMatch(/o18/); // IR 10, newer than Debian's onnx 1.12
        continue;
      }
      expect(result, result.path).toMatchObject({ status: 'ok' });
    }
    console.log(['| fixture | recipe | bf16 Casts | bf16 weights |', '|---|---|---|---|', ...rows.sort()].join('\n'));
  }, 300_000);
});

describe('bf16 in onnxruntime-node (CPU)', () => {
  const DIMS = { batch: 1, batch_size: 1, seq: 16, sequence: 16, sequence_length: 16 };

  it.each(['pegasus-small-o14-encoder', 'bert-tiny-o14', 't5-tiny-o14-encoder'])('%s: the bf16 preview runs, error above fp16\'s and still close to fp32', async (fixture) => {
    const model = openModel(load(fixture));
    const inputs = seededInputs(model, DIMS, 1);
    const run = nodeRunner();
    const reference = await runReference(model, inputs, run, { intermediates: false });
    const bf16 = await previewRecipe(model, { ...DEFAULT_RECIPE, lowPrecision: BF16 }, inputs, reference, run);
    const fp16 = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, run);
    expect(bf16.lowPrecision).toBe('bf16');
    expect(bf16.clampedWeights).toBe(0);
    for (const [i, out] of bf16.outputs.entries()) {
      expect(out.nonFinite).toBe(0);
      expect(out.cosine, out.name).toBeGreaterThan(0.99);
      // 8 bits of precision against fp16's 11: the rounding error is larger (about 8x per value).
      expect(out.maxAbs, out.name).toBeGreaterThan(fp16.outputs[i].maxAbs);
    }
    console.log(`${fixture} bf16 vs fp16 simulated: ${bf16.outputs.map((o, i) => `${o.name} maxAbs ${o.maxAbs.toExponential(2)} / ${fp16.outputs[i].maxAbs.toExponential(2)}, cosine ${o.cosine.toFixed(6)} / ${fp16.outputs[i].cosine.toFixed(6)}`).join('; ')}`);
  }, 120_000);

  it('where fp16 overflows and clamps, bf16 keeps the range: no inf, nothing clamped', async () => {
    const model = openModel(
      encodeModel(
        buildModel({
          opset: 17,
          inputs: [valueInfo('x', DataType.FLOAT, ['batch', 4])],
          outputs: [valueInfo('y', DataType.FLOAT, ['batch', 4])],
          initializers: [floatTensor('w', [4, 4], [1e5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2e5]), floatTensor('b', [4], [0, 0, 0, 0])],
          nodes: [node('MatMul', ['x', 'w'], ['h'], { name: 'mm' }), node('Add', ['h', 'b'], ['y'], { name: 'add' })],
        }),
      ),
    );
    const inputs = seededInputs(model, { batch: 2 }, 3).map((t) => ({ ...t, data: Float32Array.from(t.data as Float32Array, () => 2) }));
    const run = nodeRunner();
    const reference = await runReference(model, inputs, run, { intermediates: true });
    const fp16 = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, run);
    const bf16 = await previewRecipe(model, { ...DEFAULT_RECIPE, lowPrecision: BF16 }, inputs, reference, run);
    expect(fp16.outputs[0].nonFinite).toBeGreaterThan(0);
    expect(fp16.clampedWeights).toBe(2);
    expect(bf16.outputs[0].nonFinite).toBe(0);
    expect(bf16.clampedWeights).toBe(0);
    expect(bf16.outputs[0].cosine).toBeGreaterThan(0.9999);
    // The sites stay listed (measured against fp16's range): the app marks them "bf16 keeps fp32's range".
    expect(bf16.overflow.weights).toEqual([{ name: 'w', count: 2, maxAbs: 2e5, convertedToFp16: true }]);
  }, 60_000);

  it('a bf16 model for target cpu loads and runs, its bf16 part the data movement the CPU EP has kernels for', async () => {
    // Transpose and Reshape between graph input and output have CPU bfloat16 kernels; the Mul does not.
    const proto = buildModel({
      opset: 17,
      inputs: [valueInfo('x', DataType.FLOAT, [2, 3])],
      outputs: [valueInfo('y', DataType.FLOAT, [3, 2]), valueInfo('z', DataType.FLOAT, [6])],
      initializers: [{ name: 'shape', dims: [1], dataType: DataType.INT64, rawData: new Uint8Array(new BigInt64Array([6n]).buffer) }, floatTensor('k', [1], [3])],
      nodes: [node('Mul', ['x', 'k'], ['m'], { name: 'mul' }), node('Transpose', ['m'], ['y'], { name: 't' }), node('Reshape', ['m', 'shape'], ['z'], { name: 'r' })],
    });
    const model = openModel(encodeModel(proto));
    const result = convertModel(model, { ...DEFAULT_RECIPE, lowPrecision: BF16, targetEp: 'cpu', keepIoTypes: true });
    expect(result.report.nodePrecision[0]).toBe('fp32');
    const feeds: Feeds = { x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6.1]), [2, 3]) };
    const compared = await compareModels(encodeModel(proto), result.bytes, feeds);
    expect(compared.length).toBe(2);
    for (const c of compared) expect(c.maxAbs).toBe(0);
    // Simulated the same way: values rounded through bfloat16 Casts on the CPU EP.
    const sim = simulateModel(model, { lowPrecision: BF16 });
    const simCompared = await compareModels(encodeModel(proto), sim.bytes, feeds);
    expect(simCompared.every((c) => c.cosine > 0.9999 && c.nonFinite === 0)).toBe(true);
    expect(Math.max(...simCompared.map((c) => c.maxAbs))).toBeGreaterThan(0); // 18.3 is not a bf16
  }, 60_000);
});

describe('bf16 preview in layer-sized pieces (onnxruntime-web, wasm)', () => {
  it('gives exactly the whole-model values: each rounding pair Cast(bfloat16) -> Cast(float) stays inside one piece', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const ort = ortWeb as unknown as OrtBinding;
    const model = openModel(load('t5-tiny-o14-encoder'));
    const inputs = seededInputs(model, { batch: 1, seq: 16 }, 2);
    const pieces = segmentedRunner(ort, { executionProviders: ['wasm'] }, { minNodes: 0 });
    const whole = ortRunner(ort, { executionProviders: ['wasm'] });
    const { bytes } = simulateModel(model, { ...DEFAULT_RECIPE, lowPrecision: BF16 }, { exposeIntermediates: true });
    // A piece that handed a bfloat16 value to another would fail here: onnxruntime-js has no bfloat16 tensors.
    const a = await pieces(bytes, inputs);
    const b = await whole(bytes, inputs);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const name of Object.keys(b)) expect(a[name], name).toEqual(b[name]);
    expect(pieces.stats.segments).toBeGreaterThan(1);
    await pieces.clear();
  }, 120_000);
});
