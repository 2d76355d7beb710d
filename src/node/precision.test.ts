// The numeric error preview against onnxruntime-node: the simulated error the browser computes with
// onnxruntime-web (run here through the same engine code on onnxruntime-web's wasm backend in Node)
// matches onnxruntime-node's; the block-list suggestion meets its tolerance, checked by an independent
// run; a model whose weights exceed fp16's range is flagged.
import { readFileSync } from 'node:fs';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../core/index';
import { openModel, planModel, simulateModel } from '../core/index';
import { encodeModel } from '../core/index';
import { rankNodes } from '../core/index';
import { worstError } from '../core/index';
import { segmentedRunner, type OrtBinding } from '../core/index';
import { evaluateRecipe, previewRecipe, runReference, seededInputs, type RunModel } from '../core/index';
import { nodeNeighbours, suggestBlockList } from '../core/index';
import { DataType } from '../core/index';
import { buildModel, floatTensor, node, valueInfo } from '../core/index';
import { compareModels, nodeRunner, runModel, type Feeds } from './ort-node';
import * as ort from 'onnxruntime-node';

ortWeb.env.wasm.numThreads = 1;
// The worker's runner: the model in layer-sized pieces with shared sessions (segment-runner.ts).
const webRunner: RunModel = segmentedRunner(ortWeb as unknown as OrtBinding, { executionProviders: ['wasm'] });
const DIMS = { batch: 1, seq: 16 };

function load(name: string) {
  return openModel(new Uint8Array(readFileSync(new URL(`../../fixtures/models/${name}.onnx`, import.meta.url))));
}

function ortFeeds(inputs: ReturnType<typeof seededInputs>): Feeds {
  return Object.fromEntries(inputs.map((t) => [t.name, new ort.Tensor(t.type, t.data as never, t.dims)]));
}

describe.each(['pegasus-small-o14-encoder', 't5-tiny-o14-encoder'])('simulated error on %s', (fixture) => {
  const model = load(fixture);
  const inputs = seededInputs(model, DIMS, 1);
  // Both tests start from the same onnxruntime-node runs of this model: its reference (every value exposed), the
  // default recipe's preview, and the plain comparison's fp32 model (simulateModel's reference is the same model
  // for any fp16 recipe). Made once, by whichever test comes first, so each test still runs alone (-t).
  let nodeRuns: Promise<{ reference: Awaited<ReturnType<typeof runReference>>; preview: Awaited<ReturnType<typeof previewRecipe>>; plainReference: Feeds }> | undefined;
  const sharedNodeRuns = () =>
    (nodeRuns ??= (async () => {
      const reference = await runReference(model, inputs, nodeRunner(), { intermediates: true });
      const preview = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, nodeRunner());
      const plainReference = await runModel(simulateModel(model, DEFAULT_RECIPE, { reference: true }).bytes, ortFeeds(inputs));
      return { reference, preview, plainReference };
    })());

  it('is the same with onnxruntime-web (wasm) as with onnxruntime-node, and as a plain onnxruntime-node comparison', async () => {
    const { preview: fromNode, plainReference } = await sharedNodeRuns();
    const webRef = await runReference(model, inputs, webRunner, { intermediates: true });
    const fromWeb = await previewRecipe(model, DEFAULT_RECIPE, inputs, webRef, webRunner);
    // The comparison the fixture tests make: fp32 model vs simulated model, both run by onnxruntime-node.
    const plain = await compareModels(plainReference, simulateModel(model, DEFAULT_RECIPE).bytes, ortFeeds(inputs));
    expect(fromWeb.outputs.length).toBe(1);
    for (const [i, web] of fromWeb.outputs.entries()) {
      for (const other of [fromNode.outputs[i], plain[i]]) {
        expect(web.name).toBe(other.name);
        expect(web.nonFinite).toBe(other.nonFinite);
        expect(Math.abs(web.maxAbs - other.maxAbs)).toBeLessThanOrEqual(0.05 * other.maxAbs + 1e-5);
        expect(Math.abs(web.cosine - other.cosine)).toBeLessThan(1e-6);
      }
      expect(web.maxAbs).toBeGreaterThan(0); // fp16 storage does change the output
      expect(web.cosine).toBeGreaterThan(0.9999);
    }
    // Per-node attribution agrees on which nodes add the most error.
    const top = (nodes: typeof fromWeb.ranking) => new Set(nodes.slice(0, 5));
    const common = [...top(fromWeb.ranking)].filter((n) => top(fromNode.ranking).has(n));
    expect(common.length).toBeGreaterThanOrEqual(3);
    expect(fromWeb.nodes.length).toBeGreaterThan(90);
  }, 120_000);

  it('suggests a block list that meets its tolerance, in fewer runs than bisection', async () => {
    const run = nodeRunner();
    const { reference, preview, plainReference } = await sharedNodeRuns();
    const baseError = worstError(preview.outputs, 'maxAbs');
    const tolerance = baseError / 2;
    const castCount = (recipe: Recipe) => planModel(model, recipe).castCount;
    const evaluate = (recipe: Recipe) => evaluateRecipe(model, recipe, inputs, reference, run);
    const suggestion = await suggestBlockList({
      base: DEFAULT_RECIPE,
      metric: 'maxAbs',
      tolerance,
      ranked: rankNodes(preview.nodes).map((n) => n.name),
      evaluate,
      castCount,
      neighbours: nodeNeighbours(model.summary().nodes),
    });
    expect(suggestion.meets).toBe(true);
    expect(suggestion.added.length).toBeGreaterThan(0);
    // Independent check: the suggested recipe's simulated model, compared by the fixture tests' own path.
    const check = await compareModels(plainReference, simulateModel(model, suggestion.recipe).bytes, ortFeeds(inputs));
    expect(worstError(check, 'maxAbs')).toBeLessThanOrEqual(tolerance);

    const bisection = await bisectLikeOnnxconverter(model.summary().nodes.map((n) => n.name), async (block) => worstError(await evaluate({ ...DEFAULT_RECIPE, nodeBlockList: block }), 'maxAbs') <= tolerance);
    const bisectionCasts = castCount({ ...DEFAULT_RECIPE, nodeBlockList: bisection.blocked });
    console.log(
      `${fixture}: tolerance ${tolerance.toExponential(2)} (max abs; base ${baseError.toExponential(2)}): suggestion blocks ${suggestion.added.length} nodes, ` +
        `${suggestion.castCount} Casts, ${suggestion.evaluations} runs; bisection blocks ${bisection.blocked.length} nodes, ${bisectionCasts} Casts, ${bisection.runs} runs`,
    );
    expect(suggestion.evaluations).toBeLessThan(bisection.runs);
    // Fewer Casts than bisection on pegasus (9 vs 10); on t5 one more (13 vs 12) since the simulation also
    // rounds fp32 values read by fp16 nodes: a known shortfall of the search, written in docs/precision.md.
    expect(suggestion.castCount).toBeLessThanOrEqual(bisectionCasts + (fixture === 't5-tiny-o14-encoder' ? 1 : 0));
  }, 300_000);
});

/**
 * onnxconverter-common's auto_convert_mixed_precision search, for comparison: start with every node
 * blocked, then try to convert the largest remaining segment; on failure split it in halves, down to
 * single nodes that stay fp32.
 */
async function bisectLikeOnnxconverter(names: string[], ok: (blocked: string[]) => Promise<boolean>): Promise<{ blocked: string[]; runs: number }> {
  type Segment = { start: number; end: number; state: 'open' | 'good' | 'bad' };
  let runs = 0;
  const segments: Segment[] = [{ start: 0, end: names.length, state: 'open' }];
  const blockedExcept = (except: Segment | null) =>
    segments.filter((s) => s.state !== 'good' && s !== except).flatMap((s) => names.slice(s.start, s.end));
  for (;;) {
    const open = segments.filter((s) => s.state === 'open').sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    if (!open) break;
    runs++;
    if (await ok(blockedExcept(open))) open.state = 'good';
    else if (open.end - open.start === 1) open.state = 'bad';
    else {
      const mid = (open.start + open.end) >> 1;
      segments.splice(segments.indexOf(open), 1, { start: open.start, end: mid, state: 'open' }, { start: mid, end: open.end, state: 'open' });
    }
  }
  return { blocked: blockedExcept(null), runs };
}

describe('weights beyond fp16 range', () => {
  it('are flagged, and the values they push beyond fp16 range too', async () => {
    const bytes = encodeModel(
      buildModel({
        inputs: [valueInfo('x', DataType.FLOAT, ['batch', 4])],
        outputs: [valueInfo('y', DataType.FLOAT, ['batch', 4])],
        initializers: [floatTensor('w', [4, 4], [1e5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2e5]), floatTensor('b', [4], [0, 0, 0, 0])],
        nodes: [node('MatMul', ['x', 'w'], ['h'], { name: 'mm' }), node('Add', ['h', 'b'], ['y'], { name: 'add' })],
      }),
    );
    const model = openModel(bytes);
    const inputs = seededInputs(model, { batch: 2 }, 3).map((t) => ({ ...t, data: Float32Array.from(t.data as Float32Array, () => 2) }));
    const run = nodeRunner();
    const reference = await runReference(model, inputs, run, { intermediates: true });
    const preview = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, run);
    expect(preview.overflow.weights).toEqual([{ name: 'w', count: 2, maxAbs: 2e5, convertedToFp16: true }]);
    expect(preview.clampedWeights).toBe(2);
    expect(preview.overflow.values.map((v) => [v.value, v.precision])).toContainEqual(['h', 'low']);
    expect(preview.outputs[0].nonFinite).toBeGreaterThan(0);
    expect(rankNodes(preview.nodes)[0].name).toBe('mm');
    // Blocking the MatMul keeps its weight in fp32: no longer flagged as converted.
    const blocked = await previewRecipe(model, { nodeBlockList: ['mm', 'add'] }, inputs, reference, run);
    expect(blocked.overflow.weights[0].convertedToFp16).toBe(false);
    expect(blocked.outputs[0].nonFinite).toBe(0);
  }, 60_000);
});
