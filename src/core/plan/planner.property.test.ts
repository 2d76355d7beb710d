// The planner is exact on real ONNX graphs too: on random small models with random block lists, the
// Casts the rewrite inserts equal the brute-force optimum over every precision assignment of the free
// groups, and the output still parses as a valid, sorted graph.
import { describe, expect, it } from 'vitest';
import { convertModel, openModel } from '../engine';
import { buildIr } from '../ir';
import { DataType, type NodeProto } from '../onnx/proto-types';
import { decodeModel, encodeModel } from '../serde';
import { attr, buildModel, node, valueInfo } from '../testing/build-model';
import { bruteForceCasts } from '../testing/brute-force-casts';
import { DEFAULT_RECIPE } from '../api';
import { seededRandom } from '../tensor/seeded-inputs';

const UNARY = ['Relu', 'Exp', 'Tanh', 'Sigmoid', 'Neg', 'Identity', 'Softmax'];
const BINARY = ['Add', 'Mul', 'Sub', 'Max'];

function randomModel(seed: number, opset = 17) {
  const random = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const values = ['x', 'y'];
  const nodes: NodeProto[] = [];
  const count = 3 + Math.floor(random() * 7);
  for (let i = 0; i < count; i++) {
    const out = `v${i}`;
    const r = random();
    if (r < 0.45) nodes.push(node(pick(UNARY), [pick(values)], [out], { name: `n${i}`, attributes: [] }));
    else if (r < 0.85) nodes.push(node(pick(BINARY), [pick(values), pick(values)], [out], { name: `n${i}` }));
    else nodes.push(node('Concat', [pick(values), pick(values)], [out], { name: `n${i}`, attributes: [attr.int('axis', 0)] }));
    values.push(out);
  }
  const outputs = [...new Set([values[values.length - 1], pick(values.slice(2))])];
  const model = buildModel({
    opset,
    inputs: [valueInfo('x', DataType.FLOAT, [2]), valueInfo('y', DataType.FLOAT, [2])],
    outputs: outputs.map((o) => valueInfo(o, DataType.FLOAT)),
    nodes,
  });
  const ops = [...new Set(nodes.map((n) => n.opType!))];
  const blocked = ops.filter(() => random() < 0.3);
  const blockedNodes = nodes.filter(() => random() < 0.15).map((n) => n.name!);
  return { model, recipe: { ...DEFAULT_RECIPE, opBlockList: blocked, nodeBlockList: blockedNodes, keepIoTypes: random() < 0.5 } };
}

describe('planner on random ONNX graphs', () => {
  // bf16: the same cut with bfloat16 as the low type. Opset 12 has no bfloat16 Cast, so every group is then
  // fixed fp32 (the brute force must agree: zero Casts); Relu/Exp/... admit bfloat16 from 13 (14 for Relu).
  it.each([
    ['fp16', 17],
    ['bf16', 17],
    ['bf16', 12],
  ] as const)('inserts exactly the brute-force optimum number of Casts (%s, opset %i, 400 models)', (low, opset) => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = randomModel(seed, opset);
      const model = random.model;
      const recipe = { ...random.recipe, lowPrecision: low };
      const engine = openModel(encodeModel(model));
      const { problem } = engine;
      // Brute force over the free groups with the recipe's fixed ones.
      const { best, freeGroups } = bruteForceCasts(problem, recipe, 16);
      expect(freeGroups, `seed ${seed}`).toBeLessThanOrEqual(16);
      const result = convertModel(engine, recipe);
      expect(result.report.insertedCasts, `seed ${seed}`).toBe(best);
      const out = decodeModel(result.bytes);
      const casts = (out.graph?.node ?? []).filter((n) => n.opType === 'Cast').length;
      expect(casts, `seed ${seed}`).toBe(best);
      // The low type is the recipe's, and only it: every inserted Cast targets it or float32.
      const lowType = low === 'bf16' ? DataType.BFLOAT16 : DataType.FLOAT16;
      for (const n of (out.graph?.node ?? []).filter((n) => n.opType === 'Cast')) expect([lowType, DataType.FLOAT]).toContain(Number(n.attribute?.[0]?.i));
      expect(() => buildIr(out), `seed ${seed}`).not.toThrow();
      expect(result.report.castCount, `seed ${seed}`).toBeLessThanOrEqual(result.report.ortReferenceCasts);
    }
  });
});
