import { describe, expect, it } from 'vitest';
import Long from 'long';
import { buildIr, consumersOf } from './ir';
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

  it('numbers each local value once and maps every slot to its id (-1: omitted or enclosing scope)', () => {
    const thenBranch = buildGraph({ name: 'then', outputs: [valueInfo('t', F)], nodes: [node('Add', ['a', 'x'], ['t'])] });
    const ir = buildIr(buildModel({
      inputs: [valueInfo('x', F), valueInfo('c', DataType.BOOL), valueInfo('w', F)],
      outputs: [valueInfo('y', F), valueInfo('w2', F)],
      // 'w' is a graph input with an initializer (its default); a node output may shadow an initializer
      initializers: [floatTensor('w', [1], [1]), floatTensor('v', [1], [2])],
      nodes: [
        node('If', ['c'], ['y'], { attributes: [attr.graph('then_branch', thenBranch), attr.graph('else_branch', thenBranch)] }),
        node('Clip', ['x', '', 'w'], ['a', ''], { name: 'clip' }),
        node('Neg', ['a'], ['v'], { name: 'shadow' }),
        node('Add', ['v', 'a'], ['w2']),
      ],
    }));
    const main = ir.main;
    expect(main.nodes.map((n) => n.name ?? n.opType)).toEqual(['clip', 'If_0', 'shadow', 'Add_3']);
    expect(main.valueNames).toEqual(['x', 'c', 'w', 'v', 'y', 'a', 'w2']); // outputs in file order
    expect([...main.valueId]).toEqual(main.valueNames.map((name, id) => [name, id]));
    for (const graph of ir.graphs) {
      expect(graph.inputStart[graph.nodes.length]).toBe(graph.inputIds.length);
      expect(graph.outputStart[graph.nodes.length]).toBe(graph.outputIds.length);
      graph.nodes.forEach((n, k) => {
        const local = (name: string) => (name && graph.valueId.has(name) ? graph.valueId.get(name)! : -1);
        expect([...graph.inputIds.subarray(graph.inputStart[k], graph.inputStart[k + 1])]).toEqual((n.input ?? []).map(local));
        expect([...graph.outputIds.subarray(graph.outputStart[k], graph.outputStart[k + 1])]).toEqual((n.output ?? []).map(local));
      });
    }
    // the body reads 'x' and 'a' from the main graph: not its own values
    const body = ir.graphs[1];
    expect(body.valueNames).toEqual(['t']);
    expect([...body.inputIds]).toEqual([-1, -1]);
    expect([...main.inputIds]).toEqual([0, -1, 2, 1, 5, 3, 5]);
    expect([...main.outputIds]).toEqual([5, -1, 4, 3, 6]);
    // producers by id: graph inputs and initializers have none, the output shadowing initializer 'v' has its node
    expect([...main.producerNode]).toEqual([-1, -1, -1, 2, 1, 0, 3]);
    expect([...body.producerNode]).toEqual([0]);
    // and by name (built on first use), in node then slot order
    expect([...main.producer]).toEqual([['a', { node: 0, slot: 0 }], ['y', { node: 1, slot: 0 }], ['v', { node: 2, slot: 0 }], ['w2', { node: 3, slot: 0 }]]);
    expect(main.producer).toBe(main.producer);
  });

  it('lists consumers by value id (flat), and by name in first-read order (the by-name map is built on first use)', () => {
    const thenBranch = buildGraph({ name: 'then', outputs: [valueInfo('t', F)], nodes: [node('Relu', ['a'], ['t'])] });
    const ir = buildIr(buildModel({
      inputs: [valueInfo('x', F), valueInfo('c', DataType.BOOL)],
      outputs: [valueInfo('y', F), valueInfo('z', F)],
      initializers: [floatTensor('w', [1], [1])],
      nodes: [
        node('Mul', ['w', 'x'], ['a']),
        node('If', ['c'], ['y'], { attributes: [attr.graph('then_branch', thenBranch), attr.graph('else_branch', thenBranch)] }),
        node('Add', ['a', 'w'], ['z']),
      ],
    }));
    const main = ir.main;
    const id = (name: string) => main.valueId.get(name)!;
    expect(consumersOf(main, id('w'))).toEqual([{ node: 0, slot: 0 }, { node: 2, slot: 1 }]);
    // the If reads 'a' only inside its bodies: once, with slot -1, though both branches read it
    expect(consumersOf(main, id('a'))).toEqual([{ node: 1, slot: -1 }, { node: 2, slot: 0 }]);
    expect(consumersOf(main, id('y'))).toEqual([]);
    expect([...main.consumers.keys()]).toEqual(['w', 'x', 'c', 'a']);
    expect(main.consumers.get('w')).toEqual(consumersOf(main, id('w')));
    expect(main.consumers).toBe(main.consumers);
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
