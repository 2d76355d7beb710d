// The shape pass keys its shapes and constants by value id (the IR's valueId when the caller gives it) and
// stores a rule's result without copying it: the value_info must stay what the pass by name wrote.
import { describe, expect, it } from 'vitest';
import { DataType, type ModelProto } from '../onnx/proto-types';
import { encodeModel } from '../serde';
import { attr, buildModel, constant, floatTensor, int64Tensor, node, valueInfo } from '../testing/build-model';
import { buildIr } from '../ir';
import { inferGraphShapes } from './infer-shapes';
import { withInferredValueInfoEncoded } from './value-info';

const F = DataType.FLOAT;
const I64 = DataType.INT64;

/** Every kind of Constant a shape rule reads or sizes, and a declared value without a shape. */
function constantsModel(): ModelProto {
  return buildModel({
    opset: 14,
    inputs: [valueInfo('x', F, ['batch', 4, 6])],
    outputs: [valueInfo('out', F)],
    initializers: [int64Tensor('axes0', [1], [0]), floatTensor('w', [6], [1, 2, 3, 4, 5, 6])],
    valueInfo: [valueInfo('r', F)],
    nodes: [
      node('Constant', [], ['target'], { attributes: [attr.ints('value_ints', [0, 24])] }),
      node('Reshape', ['x', 'target'], ['r']),
      node('Constant', [], ['one'], { attributes: [attr.int('value_int', 1)] }),
      node('Unsqueeze', ['r', 'one'], ['u']),
      constant('axes', int64Tensor('', [2], [0, -1])),
      node('Unsqueeze', ['u', 'axes'], ['u2']),
      node('Unsqueeze', ['x', 'axes0'], ['u3']),
      node('Constant', [], ['f'], { attributes: [attr.float('value_float', 2)] }),
      node('Constant', [], ['fs'], { attributes: [attr.floats('value_floats', [1, 2, 3])] }),
      node('Mul', ['x', 'w'], ['m']),
      node('Relu', ['m'], ['relu']),
      node('Identity', ['relu'], ['id']),
      node('Shape', ['u2'], ['s']),
      node('Add', ['id', 'f'], ['out']),
    ],
  });
}

describe('shape pass by value id', () => {
  it('a rule passing its input through unchanged shares the input\'s dims (no copy per value)', () => {
    const { shapes } = inferGraphShapes(constantsModel().graph!, new Map([['', 14]]));
    expect(shapes.get('relu')).toEqual(['batch', 4, 6]);
    expect(shapes.get('relu')).toBe(shapes.get('m'));
    expect(shapes.get('id')).toBe(shapes.get('m'));
    expect(shapes.get('r')).toEqual(['batch', 24]);
    expect(shapes.get('u')).toEqual(['batch', 1, 24]);
    expect(shapes.get('u2')).toEqual([1, 'batch', 1, 24, 1]);
    expect(shapes.get('u3')).toEqual([1, 'batch', 4, 6]);
    expect(shapes.get('f')).toEqual([]);
    expect(shapes.get('fs')).toEqual([3]);
    expect(shapes.get('s')).toEqual([5]);
  });

  it('with the caller\'s ids (a table in another order, with names the graph lacks and lacking some it has): the same value_info, and elemType is told each id', () => {
    const model = constantsModel();
    const table = new Map<string, number>();
    // reversed, every third name left out, two names of no value of this graph
    const names = ['x', 'axes0', 'w', 'target', 'r', 'one', 'u', 'axes', 'u2', 'u3', 'f', 'fs', 'm', 'relu', 'id', 's', 'out'].reverse();
    for (const name of ['ghost', ...names.filter((_, k) => k % 3 !== 1), 'ghost2']) table.set(name, table.size);
    const types: Record<string, number> = { target: I64, one: I64, axes: I64, s: I64, r: F, u: F, u2: F, u3: F, f: F, fs: F, m: F, relu: F, id: F, out: F };
    const told: [string, number | undefined][] = [];
    const elemType = (name: string, id?: number) => {
      told.push([name, id]);
      return types[name];
    };
    const byName = encodeModel(withInferredValueInfoEncoded(model, { sorted: true, elemType: (name) => types[name] }));
    const byIds = encodeModel(withInferredValueInfoEncoded(model, { sorted: true, elemType, valueIds: { ids: table, count: table.size } }));
    expect(Buffer.from(byIds).equals(byName)).toBe(true);
    // every node output but the graph output and the declared 'r', with its id in the table (-1: not there)
    expect(told).toEqual(['target', 'one', 'u', 'axes', 'u2', 'u3', 'f', 'fs', 'm', 'relu', 'id', 's'].map((name) => [name, table.get(name) ?? -1]));
  });

  it('reads the slot ids of the nodes the caller resolved, and only of the very nodes it names', () => {
    const model = constantsModel();
    const main = buildIr(model).main;
    const elemType = (name: string) => (['target', 'one', 'axes', 's'].includes(name) ? I64 : F);
    const byName = encodeModel(withInferredValueInfoEncoded(model, { sorted: true, elemType }));
    const nodes = model.graph!.node!;
    const right = nodes.map((node) => main.nodes.indexOf(node));
    expect(right.every((n) => n >= 0)).toBe(true);
    // every other node pointed at the wrong IR node (its ids would give wrong shapes): looked up by name
    const wrong = right.map((n, k) => (k % 2 ? (n + 1) % nodes.length : n));
    for (const source of [right, wrong, right.slice(0, 3)]) {
      const slots = { source, nodes: main.nodes, inputIds: main.inputIds, inputStart: main.inputStart, outputIds: main.outputIds, outputStart: main.outputStart };
      const byIds = encodeModel(withInferredValueInfoEncoded(model, { sorted: true, elemType, valueIds: { ids: main.valueId, count: main.valueNames.length, slots } }));
      expect(Buffer.from(byIds).equals(byName)).toBe(true);
    }
  });
});
