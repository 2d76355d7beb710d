import { describe, expect, it } from 'vitest';
import { buildIr } from '../ir';
import { DataType } from '../onnx/proto-types';
import { attr, buildGraph, buildModel, floatTensor, node, valueInfo } from '../testing/build-model';
import { GraphKeyed } from './graph-keyed';

const F = DataType.FLOAT;

function model() {
  const body = buildGraph({ name: 'then', outputs: [valueInfo('t', F)], nodes: [node('Relu', ['a'], ['t'])] });
  return buildIr(buildModel({
    inputs: [valueInfo('x', F), valueInfo('c', DataType.BOOL)],
    outputs: [valueInfo('y', F)],
    initializers: [floatTensor('w', [1], [1])],
    nodes: [node('Add', ['x', 'w'], ['a']), node('If', ['c'], ['y'], { attributes: [attr.graph('then_branch', body), attr.graph('else_branch', body)] })],
  }));
}

describe('GraphKeyed (entries by graph and value id)', () => {
  it('finds entries by name or id, per graph, and lists them in first-set order as a Map does', () => {
    const ir = model();
    const [main, body] = ir.graphs;
    const keyed = new GraphKeyed<string>();
    keyed.set(main, 'a', 'a1');
    keyed.set(body, 't', 't1');
    keyed.setAt(main, main.valueId.get('w')!, 'w1');
    keyed.set(main, 'a', 'a2'); // a second set keeps the first position
    expect([...keyed.values()]).toEqual(['a2', 'w1', 't1']);
    expect(keyed.get(main, 'w')).toBe('w1');
    expect(keyed.getAt(main, main.valueId.get('a')!)).toBe('a2');
    expect(keyed.has(main, 'x')).toBe(false);
    expect(keyed.getAt(main, -1)).toBeUndefined();
    // 'a' is the main graph's value, not the body's, though the body reads it
    expect(keyed.get(body, 'a')).toBeUndefined();
    expect(keyed.get(main, 'nowhere')).toBeUndefined();
  });

  it('refuses a key the graph does not define instead of losing it', () => {
    const ir = model();
    expect(() => new GraphKeyed<number>().set(ir.graphs[1], 'a', 1)).toThrow(/not a value/);
  });
});
