// The integer values data propagation follows, op by op, with known inputs (what onnx's data_prop computes,
// plus Equal/Where for torch's expand(-1)); anything unknown or out of its reach gives undefined.
import { describe, expect, it } from 'vitest';
import { attr, int64Tensor, node } from '../testing/build-model';
import { propagateValues, type PropagationInputs } from './data-propagation';
import type { Dim } from './dims';

const inputs = (values: (number[] | undefined)[], shapes: (Dim[] | undefined)[] = [], opset = 14): PropagationInputs => ({
  opset,
  values: (i) => values[i],
  shape: (i) => shapes[i] ?? (values[i] ? [values[i]!.length] : undefined),
  tensorValue: () => undefined,
});

describe('propagateValues', () => {
  it('Shape gives the dims only when all are known, and honours start/end from opset 15', () => {
    expect(propagateValues(node('Shape', ['x'], ['s']), inputs([], [[32, 3, 224, 224]]))).toEqual([32, 3, 224, 224]);
    expect(propagateValues(node('Shape', ['x'], ['s']), inputs([], [[32, 'seq']]))).toBeUndefined();
    const sliced = node('Shape', ['x'], ['s'], { attributes: [attr.int('start', 1), attr.int('end', -1)] });
    expect(propagateValues(sliced, inputs([], [[32, 3, 224, 224]], 15))).toEqual([3, 224]);
    expect(propagateValues(node('Size', ['x'], ['n']), inputs([], [[2, 3, 4]]))).toEqual([24]);
  });

  it('Gather, Concat, Slice (negative indices and steps)', () => {
    expect(propagateValues(node('Gather', ['s', 'i'], ['g']), inputs([[32, 197, 768], [-1]]))).toEqual([768]);
    expect(propagateValues(node('Gather', ['s', 'i'], ['g']), inputs([[32, 197], [5]]))).toBeUndefined();
    expect(propagateValues(node('Concat', ['a', 'b', 'c'], ['c']), inputs([[32], [-1], [12, 64]]))).toEqual([32, -1, 12, 64]);
    expect(propagateValues(node('Concat', ['a', 'b'], ['c']), inputs([[32], undefined]))).toBeUndefined();
    expect(propagateValues(node('Slice', ['s', 'b', 'e'], ['o']), inputs([[8, 16, 32, 64], [1], [-1]]))).toEqual([16, 32]);
    expect(propagateValues(node('Slice', ['s', 'b', 'e', 'a', 't'], ['o']), inputs([[8, 16, 32, 64], [-1], [-10], [0], [-2]]))).toEqual([64, 16]);
  });

  it('integer arithmetic broadcasts a scalar, Div truncates, Equal/Where pick per element', () => {
    expect(propagateValues(node('Mul', ['a', 'b'], ['o']), inputs([[2, 3], [4]]))).toEqual([8, 12]);
    expect(propagateValues(node('Div', ['a', 'b'], ['o']), inputs([[768, -7], [12]]))).toEqual([64, 0]);
    expect(propagateValues(node('Div', ['a', 'b'], ['o']), inputs([[768], [0]]))).toBeUndefined();
    expect(propagateValues(node('Add', ['a', 'b'], ['o']), inputs([[1, 2, 3], [1, 2]]))).toBeUndefined();
    const eq = propagateValues(node('Equal', ['a', 'b'], ['o']), inputs([[32, -1, -1], [-1]]));
    expect(eq).toEqual([0, 1, 1]);
    expect(propagateValues(node('Where', ['c', 'x', 'y'], ['o']), inputs([eq, [1, 1, 1], [32, -1, -1]]))).toEqual([32, 1, 1]);
  });

  it('ConstantOfShape fills its value attribute (0 by default)', () => {
    const ones = node('ConstantOfShape', ['n'], ['o'], { attributes: [attr.tensor('value', int64Tensor('v', [1], [1]))] });
    expect(propagateValues(ones, { ...inputs([[3]]), tensorValue: () => [1] })).toEqual([1, 1, 1]);
    expect(propagateValues(node('ConstantOfShape', ['n'], ['o']), inputs([[2]]))).toEqual([0, 0]);
  });
});
