import { describe, expect, it } from 'vitest';
import { attributeErrors, attributionNodes, errorLevel, rankNodes } from './attribution';
import type { ValueError } from './metrics';
import { buildIr } from '../ir';
import { ifClassifier } from '../testing/control-flow-models';

const err = (relL2: number, nonFinite = 0): ValueError => ({ relL2, maxAbs: relL2, nonFinite, overflow: 0, refMaxAbs: 1 });

describe('attributeErrors', () => {
  // x -> A -> a -> B -> b -> C -> c ; C is fp32.
  const nodes = [
    { index: 0, name: 'A', opType: 'MatMul', inputs: ['x', 'w'], outputs: ['a'] },
    { index: 1, name: 'B', opType: 'Exp', inputs: ['a'], outputs: ['b'] },
    { index: 2, name: 'C', opType: 'Add', inputs: ['b'], outputs: ['c'] },
  ];
  it('charges each node the error beyond its inputs, and ranks the fp16 ones', () => {
    const errors = new Map([
      ['a', err(1e-3)],
      ['b', err(5e-3)],
      ['c', err(5e-3)],
    ]);
    const result = attributeErrors(nodes, ['fp16', 'fp16', 'fp32'], errors, ['c']);
    expect(result.map((n) => n.added)).toEqual([1e-3, 4e-3, 0]);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['B', 'A']);
    expect(rankNodes(attributeErrors(nodes, ['fp16', 'fp16', 'fp16'], errors, ['c'])).map((n) => n.name)).toEqual(['B', 'A', 'C']);
  });
  it('puts a node that turns finite values into inf first', () => {
    const errors = new Map([
      ['a', err(1e-3)],
      ['b', err(0, 3)],
      ['c', err(0, 3)],
    ]);
    const result = attributeErrors(nodes, ['fp16', 'fp16', 'fp16'], errors, ['c']);
    expect(result[1].added).toBe(Infinity);
    expect(result[2].added).toBe(0);
    expect(rankNodes(result)[0].name).toBe('B');
  });
  it('never ranks exact ops (Identity, Reshape, Relu): they round nothing, blocking them changes nothing', () => {
    // x -> A(MatMul) -> a -> I(Identity) -> i -> R(Reshape) -> r -> B(Exp) -> b; the measured error of i
    // and r is a's plus noise, which must not make them error sources.
    const chain = [
      { index: 0, name: 'A', opType: 'MatMul', inputs: ['x', 'w'], outputs: ['a'] },
      { index: 1, name: 'I', opType: 'Identity', inputs: ['a'], outputs: ['i'] },
      { index: 2, name: 'R', opType: 'Reshape', inputs: ['i', 'shape'], outputs: ['r'] },
      { index: 3, name: 'B', opType: 'Exp', inputs: ['r'], outputs: ['b'] },
    ];
    const errors = new Map([
      ['a', err(1e-3)],
      ['i', err(1.2e-3)],
      ['r', err(1.3e-3)],
      ['b', err(4e-3)],
    ]);
    const result = attributeErrors(chain, ['fp16', 'fp16', 'fp16', 'fp16'], errors, ['b']);
    expect(result.map((n) => n.added)).toEqual([1e-3, 0, 0, 4e-3 - 1.3e-3]);
    expect(result[1].impact).toBe(0);
    expect(result[2].impact).toBe(0);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['B', 'A']);
  });
  it('maps added error to overlay levels', () => {
    expect([0, 5e-6, 5e-5, 5e-4, 5e-3, 0.5, Infinity].map(errorLevel)).toEqual([0, 0, 1, 2, 3, 4, 4]);
  });
  it('follows values into If bodies: the nodes before an If that makes the output get their impact', () => {
    // x -> embed (MatMul) -> h ; If(c) reads h inside both branches -> y (the graph output).
    const ir = buildIr(ifClassifier());
    const shapes = ir.main.nodes.map((n, index) => ({ index, name: n.name ?? '', opType: n.opType ?? '', inputs: n.input ?? [], outputs: n.output ?? [] }));
    const errors = new Map([
      ['h', err(1e-3)],
      ['y', err(3e-3)],
    ]);
    const blind = attributeErrors(shapes, ['fp16', 'fp16'], errors, ['y']);
    expect(blind[0].impact).toBe(0); // what the issue saw: the If's reads inside its bodies were invisible
    const result = attributeErrors(attributionNodes(ir.main, shapes), ['fp16', 'fp16'], errors, ['y']);
    expect(result[0].impact).toBeGreaterThan(0);
    expect(result[1].inputError).toBe(1e-3); // the If's input error is that of the value its branches read
    expect(result[1].added).toBeCloseTo(2e-3);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['switch', 'embed']);
  });
  it('does not rank data movement that adds nothing', () => {
    const chain = [
      { index: 0, name: 'A', opType: 'MatMul', inputs: ['x'], outputs: ['a'] },
      { index: 1, name: 'I', opType: 'Identity', inputs: ['a'], outputs: ['b'] },
    ];
    const errors = new Map([
      ['a', err(1e-3)],
      ['b', err(1e-3)],
    ]);
    const result = attributeErrors(chain, ['fp16', 'fp16'], errors, ['b']);
    expect(result[1].impact).toBe(0);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['A']);
  });
});
