import { describe, expect, it } from 'vitest';
import { attributeErrors, attributionNodes, errorLevel, rankNodes } from './attribution';
import type { ValueError } from './metrics';
import { openModel, summarizeModel } from '../engine';
import { encodeModel } from '../serde';
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
    const result = attributeErrors(nodes, ['low', 'low', 'fp32'], errors, ['c']);
    expect(result.map((n) => n.added)).toEqual([1e-3, 4e-3, 0]);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['B', 'A']);
    expect(rankNodes(attributeErrors(nodes, ['low', 'low', 'low'], errors, ['c'])).map((n) => n.name)).toEqual(['B', 'A', 'C']);
  });
  it('puts a node that turns finite values into inf first', () => {
    const errors = new Map([
      ['a', err(1e-3)],
      ['b', err(0, 3)],
      ['c', err(0, 3)],
    ]);
    const result = attributeErrors(nodes, ['low', 'low', 'low'], errors, ['c']);
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
    const result = attributeErrors(chain, ['low', 'low', 'low', 'low'], errors, ['b']);
    expect(result.map((n) => n.added)).toEqual([1e-3, 0, 0, 4e-3 - 1.3e-3]);
    expect(result[1].impact).toBe(0);
    expect(result[2].impact).toBe(0);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['B', 'A']);
  });
  it('maps added error to overlay levels', () => {
    expect([0, 5e-6, 5e-5, 5e-4, 5e-3, 0.5, Infinity].map(errorLevel)).toEqual([0, 0, 1, 2, 3, 4, 4]);
  });
  // x -> embed (MatMul) -> h ; If(c): then head1 (MatMul) -> l1 -> sigmoid -> p, else head2 -> softmax -> q ; y.
  const flatShapes = () => {
    const model = openModel(encodeModel(ifClassifier()));
    return { model, shapes: summarizeModel(model).nodes };
  };
  it('follows values into If bodies: the nodes before an If that makes the output get their impact', () => {
    const { model, shapes } = flatShapes();
    const errors = new Map([
      ['h', err(1e-3)],
      ['y', err(3e-3)],
    ]);
    const precision = shapes.map(() => 'low' as const);
    const blind = attributeErrors(shapes.slice(0, 2), precision, errors, ['y']);
    expect(blind[0].impact).toBe(0); // what the issue saw: the If's reads inside its bodies were invisible
    const ordered = attributionNodes(model.ir, shapes, (name) => errors.has(name));
    expect(ordered.map((n) => n.name)).toEqual(['embed', 'head1', 'sigmoid', 'head2', 'softmax', 'switch']);
    const result = attributeErrors(ordered, precision, errors, ['y']);
    const byName = new Map(result.map((e) => [e.name, e]));
    expect(byName.get('embed')!.impact).toBeGreaterThan(0);
    expect(byName.get('switch')!.inputError).toBe(1e-3); // the If's input error is that of the value its branches read
    expect(byName.get('switch')!.added).toBeCloseTo(2e-3);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['switch', 'embed']);
  });
  it('with the branch values measured, ranks the nodes inside the branch and not the If', () => {
    const { model, shapes } = flatShapes();
    const errors = new Map([
      ['h', err(1e-3)],
      ['l1', err(1.5e-3)],
      ['p', err(3e-3)],
      ['y', err(3e-3)],
    ]);
    const precision = shapes.map(() => 'low' as const);
    const result = attributeErrors(attributionNodes(model.ir, shapes, (name) => errors.has(name)), precision, errors, ['y']);
    const byName = new Map(result.map((e) => [e.name, e]));
    expect(byName.get('switch')!.added).toBe(0);
    expect(byName.get('sigmoid')!.added).toBeCloseTo(1.5e-3);
    expect(byName.get('sigmoid')!.impact).toBeGreaterThan(0);
    expect(byName.get('head1')!.impact).toBeGreaterThan(0);
    expect(byName.get('embed')!.impact).toBeGreaterThan(0);
    // The If itself is no candidate; the branch's nodes are (embed first: its error is amplified on the way).
    expect(rankNodes(result).map((n) => n.name).sort()).toEqual(['embed', 'head1', 'sigmoid']);
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
    const result = attributeErrors(chain, ['low', 'low'], errors, ['b']);
    expect(result[1].impact).toBe(0);
    expect(rankNodes(result).map((n) => n.name)).toEqual(['A']);
  });
});
