import { describe, expect, it } from 'vitest';
import { buildIr } from '../ir';
import { DataType, type NodeProto } from '../onnx/proto-types';
import { buildModel, ifNode, node, valueInfo } from '../testing/build-model';
import { createTypeOracle } from './type-oracle';

const F = DataType.FLOAT;

/** The oracle of a model holding only `n` (its float inputs as graph inputs): an answer computed for that node alone. */
function alone(n: NodeProto) {
  const inputs = (n.input ?? []).filter(Boolean).map((name) => valueInfo(name, F, [2]));
  const outputs = (n.output ?? []).filter(Boolean).map((name) => valueInfo(name, F));
  const ir = buildIr(buildModel({ inputs, outputs, nodes: [n] }));
  return createTypeOracle(ir).slotGroups(ir.main, ir.main.nodes[0]);
}

describe('createTypeOracle slotGroups', () => {
  it('caches by op and by which inputs and outputs are present, lengths included, up to wide variadic nodes', () => {
    // Slot groups are cached per op type and presence pattern: nodes of one op that differ only in which
    // optional slots they fill, or in how many slots they have, must not share an answer.
    const wide = Array.from({ length: 25 }, (_, i) => `c${i}`);
    const nodes = [
      node('LayerNormalization', ['x', 's'], ['y1']),
      node('LayerNormalization', ['x', 's', 'b'], ['y2', 'mean', 'inv']),
      node('LayerNormalization', ['x', 's', ''], ['y3', '', 'inv3']),
      node('LayerNormalization', ['x', 's', 'b'], ['y4']),
      node('Dropout', ['x'], ['d1']),
      node('Dropout', ['x', '', ''], ['d2', 'm2']),
      node('Concat', ['x', 's'], ['cat2'], { attributes: [{ name: 'axis', type: 2, i: 0 }] }),
      node('Concat', wide, ['cat25'], { attributes: [{ name: 'axis', type: 2, i: 0 }] }),
      node('Concat', [...wide, 'x'], ['cat26'], { attributes: [{ name: 'axis', type: 2, i: 0 }] }),
    ];
    const names = new Set(nodes.flatMap((n) => n.input ?? []).filter(Boolean));
    const ir = buildIr(buildModel({ inputs: [...names].map((n) => valueInfo(n, F, [2])), outputs: [valueInfo('y1', F)], nodes }));
    const oracle = createTypeOracle(ir);
    const answers = ir.main.nodes.map((n) => oracle.slotGroups(ir.main, n));
    ir.main.nodes.forEach((n, i) => expect(answers[i], `${n.opType} ${JSON.stringify(n.input)} -> ${JSON.stringify(n.output)}`).toEqual(alone(n)));
    // the optional LayerNormalization outputs are float-only: three presence patterns, three answers
    expect(answers[0]).not.toEqual(answers[1]);
    expect(answers[1]).not.toEqual(answers[2]);
    expect(answers[1]).not.toEqual(answers[3]); // the same inputs, fewer outputs
    expect(answers[7]).not.toEqual(answers[8]);
  });
});

describe('createTypeOracle elemTypesById', () => {
  it('gives every value id of every graph, bodies included, the type elemType gives its name (0 when unknown)', async () => {
    const { readFileSync } = await import('node:fs');
    const { decodeModel } = await import('../serde');
    for (const file of ['fixtures/subgraphs/silero-vad-v5.onnx', 'fixtures/models/bert-tiny-o14.onnx']) {
      const ir = buildIr(decodeModel(new Uint8Array(readFileSync(new URL(`../../../${file}`, import.meta.url)))));
      const oracle = createTypeOracle(ir);
      let known = 0;
      for (const graph of ir.graphs) {
        const byId = oracle.elemTypesById(graph);
        expect(byId.length).toBe(graph.valueNames.length);
        graph.valueNames.forEach((name, id) => expect(byId[id], `${file} ${name}`).toBe(oracle.elemType(graph, name) ?? 0));
        known += byId.filter((t) => t !== 0).length;
        expect(oracle.elemTypesById(graph)).toBe(byId); // built once per graph
      }
      expect(known).toBeGreaterThan(100);
    }
  });
});

describe('createTypeOracle refusals', () => {
  const B = DataType.BOOL;
  // an unknown default-domain op in an If branch, then one in the main graph after the If; a com.microsoft op
  // without a schema is opaque, not refused
  const model = (mainOp: string) => buildModel({
    inputs: [valueInfo('c', B, []), valueInfo('x', F, [2])],
    outputs: [valueInfo('z', F, [2])],
    nodes: [
      ifNode('c', ['y'], { outputs: [valueInfo('t', F, [2])], nodes: [node('NoSuchOpInBody', ['x'], ['t'])] }, { outputs: [valueInfo('e', F, [2])], nodes: [node('Relu', ['x'], ['e'])] }),
      node('NoSuchContribOp', ['y'], ['m'], { domain: 'com.microsoft' }),
      node(mainOp, ['m'], ['z'], { name: 'last' }),
    ],
    opset: { '': 17, 'com.microsoft': 1 },
  });

  it('names the first unknown standard op in graph order (main graph before bodies)', () => {
    expect(() => createTypeOracle(buildIr(model('NoSuchOpInMain')))).toThrow(/No op "NoSuchOpInMain" exists in .* at opset 17/);
    expect(() => createTypeOracle(buildIr(model('NoSuchOpInMain')))).toThrow(expect.objectContaining({ code: 'unknown-op', where: 'node "last"' }));
  });

  it('then the ones in bodies; a com.microsoft op without a schema is opaque', () => {
    expect(() => createTypeOracle(buildIr(model('Relu')))).toThrow(/No op "NoSuchOpInBody"/);
  });
});
