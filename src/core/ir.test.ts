import { describe, expect, it } from 'vitest';
import Long from 'long';
import { buildIr } from './ir';
import { CastawayError } from './errors';
import { DataType } from './onnx/proto-types';
import { attr, buildGraph, buildModel, floatTensor, node, valueInfo } from './testing/build-model';

const F = DataType.FLOAT;

function expectCode(fn: () => unknown, code: string, where?: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CastawayError);
    expect((error as CastawayError).code).toBe(code);
    if (where) expect((error as CastawayError).message).toMatch(where);
    return;
  }
  throw new Error(`expected a CastawayError ${code}`);
}

describe('buildIr', () => {
  it('indexes producers and consumers and keeps a sorted graph in order', () => {
    const ir = buildIr(buildModel({
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('z', F, [2])],
      initializers: [floatTensor('w', [2], [1, 2])],
      nodes: [node('Add', ['x', 'w'], ['y'], { name: 'add' }), node('Relu', ['y'], ['z'], { name: 'relu' })],
    }));
    expect(ir.main.nodes.map((n) => n.name)).toEqual(['add', 'relu']);
    expect(ir.main.producer.get('y')).toEqual({ node: 0, slot: 0 });
    expect(ir.main.consumers.get('x')).toEqual([{ node: 0, slot: 0 }]);
    expect(ir.main.consumers.get('w')).toEqual([{ node: 0, slot: 1 }]);
    expect(ir.opsets.get('')).toBe(17);
  });

  it('sorts nodes given out of topological order, keeping the input order where it can', () => {
    const ir = buildIr(buildModel({
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('z', F, [2]), valueInfo('q', F, [2])],
      nodes: [node('Relu', ['y'], ['z'], { name: 'second' }), node('Neg', ['x'], ['q'], { name: 'free' }), node('Abs', ['x'], ['y'], { name: 'first' })],
    }));
    expect(ir.main.nodes.map((n) => n.name)).toEqual(['free', 'first', 'second']);
    expect(ir.main.originalIndex).toEqual([1, 2, 0]);
  });

  it('refuses dangling inputs, naming the node', () => {
    expectCode(() => buildIr(buildModel({ inputs: [valueInfo('x', F)], outputs: [valueInfo('y', F)], nodes: [node('Add', ['x', 'ghost'], ['y'], { name: 'adder' })] })), 'dangling-input', /ghost.*adder/);
  });

  it('refuses cycles', () => {
    expectCode(() => buildIr(buildModel({
      inputs: [valueInfo('x', F)],
      outputs: [valueInfo('b', F)],
      nodes: [node('Add', ['x', 'b'], ['a'], { name: 'n1' }), node('Relu', ['a'], ['b'], { name: 'n2' })],
    })), 'cycle');
  });

  it('refuses an empty graph and conflicting opset imports', () => {
    expectCode(() => buildIr(buildModel({ inputs: [valueInfo('x', F)], outputs: [valueInfo('x', F)], nodes: [] })), 'empty-graph');
    const mixed = buildModel({ inputs: [valueInfo('x', F)], outputs: [valueInfo('y', F)], nodes: [node('Relu', ['x'], ['y'])] });
    mixed.opsetImport = [{ domain: '', version: Long.fromNumber(13) }, { domain: 'ai.onnx', version: Long.fromNumber(17) }];
    expectCode(() => buildIr(mixed), 'opset-mix');
  });

  it('refuses a value produced twice', () => {
    expectCode(() => buildIr(buildModel({
      inputs: [valueInfo('x', F)],
      outputs: [valueInfo('y', F)],
      nodes: [node('Relu', ['x'], ['y']), node('Neg', ['x'], ['y'])],
    })), 'unsupported');
  });

  it('links subgraphs and records the outer values they read', () => {
    const thenBranch = buildGraph({ name: 'then', outputs: [valueInfo('t', F)], nodes: [node('Relu', ['a'], ['t'])] });
    const elseBranch = buildGraph({ name: 'else', outputs: [valueInfo('e', F)], nodes: [node('Neg', ['a'], ['e'])] });
    const ir = buildIr(buildModel({
      inputs: [valueInfo('x', F), valueInfo('c', DataType.BOOL)],
      outputs: [valueInfo('y', F)],
      nodes: [node('Abs', ['x'], ['a'], { name: 'abs' }), node('If', ['c'], ['y'], { name: 'if', attributes: [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)] })],
    }));
    expect(ir.graphs).toHaveLength(3);
    expect(ir.main.consumers.get('a')).toEqual([{ node: 1, slot: -1 }]);
    expect(ir.graphs[1].parent?.node).toBe(1);
    expect([...ir.graphs[1].outerReads]).toEqual(['a']);
  });

  it('refuses a subgraph reading a name defined nowhere', () => {
    const body = buildGraph({ name: 'then', outputs: [valueInfo('t', F)], nodes: [node('Relu', ['nowhere'], ['t'])] });
    expectCode(() => buildIr(buildModel({
      inputs: [valueInfo('c', DataType.BOOL)],
      outputs: [valueInfo('y', F)],
      nodes: [node('If', ['c'], ['y'], { attributes: [attr.graph('then_branch', body), attr.graph('else_branch', body)] })],
    })), 'dangling-input', /nowhere/);
  });
});
