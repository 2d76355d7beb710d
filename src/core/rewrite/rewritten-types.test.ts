// applyPlan's mainElemType stands in for element-type inference over the rewritten main graph when
// convertModel writes value_info (shapes/infer-shapes.ts ValueInfoOptions.elemType). It must give the
// same type as that inference for every value value_info would add: each node output of the rewritten
// main graph that is neither declared (value_info, a graph input or output) nor unknown. And each output
// name must be written once (ValueInfoOptions.uniqueOutputs). And mainNodeSource must name, for each node
// of the rewritten main graph, the IR node it is (value_info reads that node's slot ids from the IR).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../api';
import { openModel } from '../engine';
import { toNumber, type ModelProto } from '../onnx/proto-types';
import { PRESETS, normalizeRecipe } from '../recipe';
import { decodeModel } from '../serde';
import { constantWeightsModel } from '../testing/constant-weights';
import { ifClassifier, loopRefiner, scanAccumulator } from '../testing/control-flow-models';
import { convEncoderModel, whisperLikeEncoderModel } from '../testing/conv-encoder';
import { ortOptimizedBertModel, ortOptimizedLlamaModel, ortOptimizedUnetModel } from '../testing/ort-optimized';
import { randomControlFlowModel } from '../testing/random-control-flow';
import { residualNormModel } from '../testing/residual-norm';
import { vitLikeModel } from '../testing/vit-like';
import { inferElementTypes } from '../types/infer';
import { applyPlan } from './apply-plan';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// every fixture but the 9 MB gpt2-deep200 (convert-hashes.ts covers it: the same layer, 200 times over)
const fixtures = ['fixtures/models', 'fixtures/subgraphs', 'fixtures/app'].flatMap((dir) =>
  readdirSync(root + dir).filter((f) => f.endsWith('.onnx') && !f.startsWith('gpt2-deep200')).map((f) => `${dir}/${f}`));

/** The values whose derived type differs from the inferred one, as "name: derived != inferred". */
function mismatches(source: ModelProto, recipe: Partial<Recipe>): { checked: number; wrong: string[] } {
  const model = openModel(source);
  const full = normalizeRecipe({ ...DEFAULT_RECIPE, ...recipe });
  const result = applyPlan(model.problem, model.planner.plan(full, () => true));
  const graph = result.model.graph!;
  const opsets = new Map((result.model.opsetImport ?? []).map((o) => [o.domain ?? '', toNumber(o.version ?? 0)]));
  const inferred = inferElementTypes(graph, opsets).main;
  const declared = new Set([...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])].map((v) => v.name));
  const wrong: string[] = [];
  let checked = 0;
  const irIndex = new Map(model.ir.main.nodes.map((node, n) => [node, n]));
  const nodeSource = result.mainNodeSource;
  if (nodeSource.length !== (graph.node ?? []).length) wrong.push(`mainNodeSource has ${nodeSource.length} entries for ${(graph.node ?? []).length} nodes`);
  (graph.node ?? []).forEach((node, k) => {
    if (nodeSource[k] !== (irIndex.get(node) ?? -1)) wrong.push(`node ${k} (${node.name}): mainNodeSource ${nodeSource[k]}, IR node ${irIndex.get(node) ?? -1}`);
  });
  // value_info also relies on each output name being written once (ValueInfoOptions.uniqueOutputs)
  const written = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) {
      if (name && written.has(name)) wrong.push(`${name} written twice`);
      written.add(name);
      if (!name || declared.has(name)) continue;
      checked++;
      const derived = result.mainElemType(name);
      if (derived !== inferred.get(name)) wrong.push(`${name}: ${derived} != ${inferred.get(name)}`);
      // as value_info asks it: with the name's id in the IR's table, -1 when it has none there
      const byId = result.mainElemType(name, model.ir.main.valueId.get(name) ?? -1);
      if (byId !== derived) wrong.push(`${name}: ${byId} by id != ${derived} by name`);
    }
  }
  return { checked, wrong };
}

const recipes: Partial<Recipe>[] = PRESETS.flatMap((p) => [
  p.recipe,
  { ...p.recipe, keepIoTypes: !(p.recipe.keepIoTypes ?? false) },
  { ...p.recipe, lowPrecision: 'bf16' as const },
]);

describe("applyPlan's mainElemType", () => {
  it.each(fixtures)('equals element-type inference over the rewritten graph of %s, every preset', (file) => {
    const source = decodeModel(new Uint8Array(readFileSync(root + file)));
    for (const recipe of recipes) expect(mismatches(source, recipe).wrong).toEqual([]);
  });

  const built: [string, () => ModelProto][] = [
    ['constant weights', constantWeightsModel],
    ['If classifier', ifClassifier],
    ['Loop refiner', loopRefiner],
    ['Scan accumulator', scanAccumulator],
    ['conv encoder', convEncoderModel],
    ['whisper-like encoder', whisperLikeEncoderModel],
    ['onnxruntime-optimized BERT', () => ortOptimizedBertModel()],
    ['onnxruntime-optimized Llama', () => ortOptimizedLlamaModel()],
    ['onnxruntime-optimized UNet', ortOptimizedUnetModel],
    ['residual norm', () => residualNormModel({ skip: true })],
    ['ViT-like', () => vitLikeModel()],
  ];
  it.each(built)('equals it on the %s model, every preset', (_, make) => {
    for (const recipe of recipes) expect(mismatches(make(), recipe).wrong).toEqual([]);
  });

  it('equals it on 60 random control-flow models with random block lists, where Casts and fp16 Constants are made', () => {
    let checked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { model, recipe } = randomControlFlowModel(seed);
      for (const low of ['fp16', 'bf16'] as const) {
        const r = mismatches(model, { ...recipe, lowPrecision: low });
        expect(r.wrong, `seed ${seed} ${low}`).toEqual([]);
        checked += r.checked;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
