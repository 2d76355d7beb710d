import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../api';
import { convertModel, openModel } from '../engine';
import { topologicalOrder } from '../graph-order';
import { PRESETS } from '../recipe';
import { decodeModel, encodeModel } from '../serde';
import { buildModel, node, valueInfo } from '../testing/build-model';
import { DataType } from '../onnx/proto-types';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// every fixture but the 9 MB gpt2-deep200 (the same rewrite, 200 times over; seconds per preset)
const fixtures = ['fixtures/models', 'fixtures/subgraphs', 'fixtures/app'].flatMap((dir) =>
  readdirSync(root + dir).filter((f) => f.endsWith('.onnx') && !f.startsWith('gpt2-deep200')).map((f) => `${dir}/${f}`));

/** The converted model's main graph, decoded from its bytes. */
function convertedNodes(bytes: Uint8Array, recipe: Partial<typeof DEFAULT_RECIPE>) {
  return decodeModel(convertModel(openModel(bytes), recipe, { valueInfo: false }).bytes).graph!.node ?? [];
}

describe('applyPlan node order', () => {
  // convertModel infers value_info in the rewritten graph's own node order without sorting it again
  // (withInferredValueInfo's `sorted`): the rewrite must write its nodes already in topological order.
  it.each(fixtures)('writes %s already topologically sorted, with every preset', (file) => {
    const bytes = new Uint8Array(readFileSync(root + file));
    for (const preset of PRESETS) {
      const nodes = convertedNodes(bytes, { ...DEFAULT_RECIPE, ...preset.recipe });
      expect(topologicalOrder(nodes)).toEqual(nodes.map((_, i) => i));
    }
  });

  it('sorts a graph whose file order was not topological, Casts after their producers', () => {
    // z = Relu(s) listed before s = Softmax(t) and t = Sigmoid(x); Softmax blocked: Casts at its boundary
    const F = DataType.FLOAT;
    const bytes = encodeModel(buildModel({
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('z', F, [2])],
      nodes: [node('Relu', ['s'], ['z']), node('Softmax', ['t'], ['s']), node('Sigmoid', ['x'], ['t'])],
    }));
    const nodes = convertedNodes(bytes, { ...DEFAULT_RECIPE, opBlockList: ['Softmax'] });
    expect(nodes.filter((n) => n.opType === 'Cast').length).toBeGreaterThan(0);
    expect(topologicalOrder(nodes)).toEqual(nodes.map((_, i) => i));
  });
});
