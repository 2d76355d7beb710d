// Models whose work happens inside If/Loop bodies, converted and checked end to end: silero VAD v5 and
// legacy (a real exporter's nested Ifs, fixtures/subgraphs/ from @ricky0123/vad-web), and random
// If/Loop models. Each converted model passes onnx.checker (full_check, which infers types through the
// bodies), runs in onnxruntime-node close to fp32, and has no more Casts than onnxruntime's tool.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../core/index';
import { convertModel, openModel, simulateModel } from '../core/index';
import { seededRandom } from '../core/index';
import { encodeModel } from '../core/index';
import { randomControlFlowModel } from '../core/index';
import { ifClassifier, loopRefiner, scanAccumulator } from '../core/index';
import { checkModels, checkerAvailable } from './onnx-checker';
import { nodeRunner } from './ort-node';
import { previewRecipe, runReference, seededInputs } from '../core/index';
import { compareModels, runModel, type Feeds } from './ort-node';

const dir = mkdtempSync(join(tmpdir(), 'castaway-subgraphs-'));

function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
}

/** `reference`: the fp32 model's bytes, or its outputs already run (a model checked with several recipes runs once). */
async function expectClose(reference: Uint8Array | Feeds, candidate: Uint8Array, feeds: Feeds, minCosine: number) {
  const comparisons = await compareModels(reference, candidate, feeds);
  expect(comparisons.length).toBeGreaterThan(0);
  for (const c of comparisons) {
    expect(c.nonFinite, `${c.name} non-finite`).toBe(0);
    // Two-element random graphs can cancel (x - x*1.0001): judge those by absolute error against the scale.
    if (c.elements > 8 || c.scale > 1e-2) expect(c.cosine > minCosine || c.maxAbs <= 2e-3 * Math.max(1, c.scale), `${c.name} cosine ${c.cosine}, max abs ${c.maxAbs}, scale ${c.scale}`).toBe(true);
  }
}

describe('silero VAD v5 (nested If)', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/subgraphs/silero-vad-v5.onnx', import.meta.url)));
  const model = openModel(bytes);
  const feeds: Feeds = {
    input: new ort.Tensor('float32', randomFloats(512, 3, 0.3), [1, 512]),
    state: new ort.Tensor('float32', randomFloats(256, 4, 0.1), [2, 1, 128]),
    sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
  };
  const recipes: Record<string, Recipe> = {
    default: { ...DEFAULT_RECIPE },
    'keep-io-types': { ...DEFAULT_RECIPE, keepIoTypes: true },
    'LSTM fp32': { ...DEFAULT_RECIPE, opBlockList: ['LSTM'] },
    'Sigmoid and ReduceMean fp32, keep io': { ...DEFAULT_RECIPE, opBlockList: ['Sigmoid', 'ReduceMean'], keepIoTypes: true },
  };
  const written: string[] = [];
  let fp32: Promise<Feeds> | undefined; // the fp32 model's outputs, run once for the four recipes

  it.each(Object.keys(recipes))('converts with %s: no more Casts than onnxruntime, runs close to fp32', async (name) => {
    const result = convertModel(model, recipes[name]);
    const r = result.report;
    expect(r.castCount).toBeLessThanOrEqual(r.ortReferenceCasts);
    const file = join(dir, `silero.${name.replace(/\W+/g, '-')}.onnx`);
    writeFileSync(file, result.bytes);
    written.push(file);
    await expectClose(await (fp32 ??= runModel(bytes, feeds)), result.bytes, feeds, 0.999);
  }, 120_000);

  it('with no block list, needs far fewer Casts than onnxruntime (whose count is the 20 Casts already there)', () => {
    const r = convertModel(model, DEFAULT_RECIPE).report;
    expect(r.ortReferenceCasts).toBe(20);
    expect(r.castCount).toBeLessThanOrEqual(2);
    expect(r.insertedCasts).toBe(0);
  });

  it('the fp16 simulation (the precision preview) runs and stays close to fp32', async () => {
    const reference = simulateModel(model, DEFAULT_RECIPE, { reference: true }).bytes;
    const simulated = simulateModel(model, { ...DEFAULT_RECIPE, opBlockList: ['Sigmoid'] }).bytes;
    await expectClose(reference, simulated, feeds, 0.999);
  }, 60_000);

  it('the per-node preview measures the nodes inside the nested Ifs and ranks them', async () => {
    const inputs = [
      { name: 'input', type: 'float32' as const, dims: [1, 512], data: randomFloats(512, 3, 0.3) },
      { name: 'state', type: 'float32' as const, dims: [2, 1, 128], data: randomFloats(256, 4, 0.1) },
      { name: 'sr', type: 'int64' as const, dims: [], data: BigInt64Array.from([16000n]) },
    ];
    const reference = await runReference(model, inputs, nodeRunner(), { intermediates: true });
    const preview = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, nodeRunner());
    const nodes = model.summary().nodes;
    const measuredInBodies = preview.nodes.filter((n) => nodes[n.index].graph !== 0);
    expect(measuredInBodies.length).toBeGreaterThan(50);
    const ranked = preview.ranking.map((index) => nodes[index]);
    expect(ranked.filter((n) => n.opType === 'Conv' || n.opType === 'LSTM').length).toBeGreaterThan(4);
    expect(ranked.some((n) => n.opType === 'If')).toBe(false);
  }, 120_000);

  it.runIf(checkerAvailable())('every converted silero passes onnx.checker (full_check)', () => {
    for (const result of checkModels(written)) expect(result, result.path).toMatchObject({ status: 'ok' });
  });
});

describe('silero VAD legacy (If bodies holding their own weights)', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/subgraphs/silero-vad-legacy.onnx', import.meta.url)));
  const model = openModel(bytes);
  const feeds: Feeds = {
    input: new ort.Tensor('float32', randomFloats(512, 5, 0.3), [1, 512]),
    sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
    h: new ort.Tensor('float32', randomFloats(128, 6, 0.1), [2, 1, 64]),
    c: new ort.Tensor('float32', randomFloats(128, 7, 0.1), [2, 1, 64]),
  };
  const recipes: Recipe[] = [DEFAULT_RECIPE, { ...DEFAULT_RECIPE, keepIoTypes: true }, { ...DEFAULT_RECIPE, opBlockList: ['LSTM'] }];
  it('converts with every recipe: no more Casts than onnxruntime, runs close to fp32, passes onnx.checker', async () => {
    const files: string[] = [];
    const fp32 = await runModel(bytes, feeds);
    for (const [i, recipe] of recipes.entries()) {
      const result = convertModel(model, recipe);
      expect(result.report.castCount).toBeLessThanOrEqual(result.report.ortReferenceCasts);
      if (!recipe.opBlockList.length) expect(result.report.fp16WeightShare).toBe(1); // weights inside the bodies too
      const file = join(dir, `silero-legacy-${i}.onnx`);
      writeFileSync(file, result.bytes);
      files.push(file);
      await expectClose(fp32, result.bytes, feeds, 0.999);
    }
    if (checkerAvailable()) for (const result of checkModels(files)) expect(result, result.path).toMatchObject({ status: 'ok' });
  }, 120_000);
});

describe('random If/Loop models', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
  const files: string[] = [];
  it('convert, run in onnxruntime close to fp32, and pass onnx.checker', async () => {
    for (const seed of seeds) {
      const { model, recipe, kind } = randomControlFlowModel(seed);
      const bytes = encodeModel(model);
      const result = convertModel(openModel(bytes), recipe);
      expect(result.report.castCount, `seed ${seed}`).toBeLessThanOrEqual(result.report.ortReferenceCasts);
      const file = join(dir, `random-${kind}-${seed}.onnx`);
      writeFileSync(file, result.bytes);
      files.push(file);
      const feeds: Feeds = {
        x: new ort.Tensor('float32', randomFloats(2, seed * 2), [2]),
        y: new ort.Tensor('float32', randomFloats(2, seed * 2 + 1), [2]),
      };
      if (kind === 'If') feeds.c = new ort.Tensor('bool', Uint8Array.from([seed % 2]), []);
      await expectClose(bytes, result.bytes, feeds, 0.99);
    }
    if (checkerAvailable()) for (const result of checkModels(files)) expect(result, result.path).toMatchObject({ status: 'ok' });
  }, 300_000);
});

describe('hand-built If / Loop / Scan models', () => {
  const cases = {
    'If classifier': { model: ifClassifier(), feeds: (): Feeds => ({ x: new ort.Tensor('float32', randomFloats(8, 5), [1, 8]), c: new ort.Tensor('bool', Uint8Array.from([0]), []) }) },
    'Loop refiner': { model: loopRefiner(), feeds: (): Feeds => ({ x: new ort.Tensor('float32', randomFloats(4, 6), [1, 4]) }) },
    'Scan accumulator': { model: scanAccumulator(), feeds: (): Feeds => ({ seq: new ort.Tensor('float32', randomFloats(20, 7), [5, 4]), init: new ort.Tensor('float32', randomFloats(4, 8), [4]) }) },
  };
  const recipes: Recipe[] = [
    DEFAULT_RECIPE,
    { ...DEFAULT_RECIPE, keepIoTypes: true },
    { ...DEFAULT_RECIPE, opBlockList: ['Softmax', 'Tanh', 'Exp'] },
    { ...DEFAULT_RECIPE, opBlockList: ['Add', 'Sigmoid'], keepIoTypes: true },
  ];
  const files: string[] = [];
  it.each(Object.keys(cases) as (keyof typeof cases)[])('%s: every recipe converts, runs close to fp32, passes onnx.checker', async (name) => {
    const bytes = encodeModel(cases[name].model);
    const feeds = cases[name].feeds();
    const fp32 = await runModel(bytes, feeds);
    for (const [i, recipe] of recipes.entries()) {
      const result = convertModel(openModel(bytes), recipe);
      expect(result.report.castCount).toBeLessThanOrEqual(result.report.ortReferenceCasts);
      const file = join(dir, `${name.replace(/\W+/g, '-')}-${i}.onnx`);
      writeFileSync(file, result.bytes);
      files.push(file);
      await expectClose(fp32, result.bytes, feeds, 0.999);
    }
    if (checkerAvailable()) for (const result of checkModels(files.splice(0))) expect(result, result.path).toMatchObject({ status: 'ok' });
  }, 120_000);
});

describe('impact ranking through an If', () => {
  it('the nodes before an If that makes the output get a non-zero impact (onnxruntime-node run)', async () => {
    const model = openModel(encodeModel(ifClassifier()));
    const inputs = seededInputs(model, {}, 3);
    const reference = await runReference(model, inputs, nodeRunner(), { intermediates: true });
    const preview = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, nodeRunner());
    const byName = new Map(preview.nodes.map((n) => [n.name, n]));
    expect(byName.get('embed')!.impact).toBeGreaterThan(0);
    expect(byName.get('switch')!.precision).toBe('low');
    // The branch that ran was measured through its If: its nodes are ranked, the If (which rounds nothing
    // itself once its branches are measured) is not.
    const ranked = preview.ranking.map((index) => model.summary().nodes[index].name);
    const ran = ranked.includes('head1') ? ['head1', 'sigmoid'] : ['head2', 'softmax'];
    expect(ranked).toEqual(expect.arrayContaining(['embed', ...ran]));
    expect(ranked).not.toContain('switch');
    expect(byName.get(ran[0])!.outputError).toBeGreaterThan(0);
  }, 60_000);
});
