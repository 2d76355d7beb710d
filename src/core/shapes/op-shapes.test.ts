import { describe, expect, it } from 'vitest';
import { broadcastShapes, mergeDim, ShapeError, type Dim } from './dims';
import { inferOpShapes, type ShapeContext } from './op-shapes';

interface Spec {
  op: string;
  opset?: number;
  inputs: (Dim[] | undefined)[];
  constants?: Record<number, number[]>;
  attrs?: Record<string, number | number[]>;
  strings?: Record<string, string>;
  floats?: Record<number, number[]>;
  outputs?: number;
}

function ctx(s: Spec): ShapeContext {
  return {
    opType: s.op,
    opset: s.opset ?? 14,
    inputCount: s.inputs.length,
    outputCount: s.outputs ?? 1,
    input: (i) => s.inputs[i],
    hasInput: (i) => i < s.inputs.length,
    constant: (i) => s.constants?.[i],
    attrInt: (n) => (typeof s.attrs?.[n] === 'number' ? (s.attrs[n] as number) : undefined),
    attrInts: (n) => (Array.isArray(s.attrs?.[n]) ? (s.attrs[n] as number[]) : undefined),
    attrString: (n) => s.strings?.[n],
    constantFloats: (i) => s.floats?.[i],
    constantValueDims: () => undefined,
  };
}
const infer = (s: Spec) => inferOpShapes(ctx(s));

describe('broadcastShapes (onnx multidirectional rules)', () => {
  it('lets a value other than 1 win and keeps one distinct symbol', () => {
    expect(broadcastShapes([['batch', 1, 64], [8, 64]])).toEqual(['batch', 8, 64]);
    expect(broadcastShapes([['batch', 'seq'], [1, 'seq']])).toEqual(['batch', 'seq']);
    expect(broadcastShapes([[1], ['n']])).toEqual(['n']);
  });
  it('gives an unknown dim for two different symbols or a symbol beside an unknown', () => {
    expect(broadcastShapes([['a'], ['b']])).toEqual([undefined]);
    expect(broadcastShapes([['a'], [undefined]])).toEqual([undefined]);
  });
  it('rejects two different values', () => {
    expect(() => broadcastShapes([[3], [4]])).toThrow(ShapeError);
  });
});

describe('mergeDim', () => {
  it('prefers values, then symbols', () => {
    expect(mergeDim(undefined, 'a')).toBe('a');
    expect(mergeDim('a', 5)).toBe(5);
    expect(mergeDim(5, 'a')).toBe(5);
    expect(() => mergeDim(4, 5)).toThrow(ShapeError);
  });
});

describe('inferOpShapes', () => {
  it('MatMul broadcasts batch dims and handles 1-D operands', () => {
    expect(infer({ op: 'MatMul', inputs: [['b', 's', 64], [64, 32]] })).toEqual([['b', 's', 32]]);
    expect(infer({ op: 'MatMul', inputs: [[64], [64, 32]] })).toEqual([[32]]);
    expect(infer({ op: 'MatMul', inputs: [['b', 4, 64], [64]] })).toEqual([['b', 4]]);
    expect(() => infer({ op: 'MatMul', inputs: [[2, 3], [4, 5]] })).toThrow(ShapeError);
  });
  it('Reshape copies 0 dims, computes -1 when it can and gives the rank for a computed shape', () => {
    expect(infer({ op: 'Reshape', inputs: [['b', 16, 64], [3]], constants: { 1: [0, 0, -1] } })).toEqual([['b', 16, undefined]]);
    expect(infer({ op: 'Reshape', inputs: [[2, 16, 64], [2]], constants: { 1: [-1, 64] } })).toEqual([[32, 64]]);
    expect(infer({ op: 'Reshape', inputs: [[2, 16, 64], [4]] })).toEqual([[undefined, undefined, undefined, undefined]]);
    expect(infer({ op: 'Reshape', opset: 14, inputs: [[2, 3], [2]], constants: { 1: [0, 6] }, attrs: { allowzero: 1 } })).toEqual([[0, 6]]);
  });
  it('Concat sums known lengths, merges the other dims and passes a single input through', () => {
    expect(infer({ op: 'Concat', inputs: [['b', 2], ['b', 3]], attrs: { axis: 1 } })).toEqual([['b', 5]]);
    expect(infer({ op: 'Concat', inputs: [['b', 'n'], [4, 3]], attrs: { axis: 1 } })).toEqual([[4, undefined]]);
    expect(infer({ op: 'Concat', inputs: [['b', 'n']], attrs: { axis: -1 } })).toEqual([['b', 'n']]);
  });
  it('Unsqueeze reads axes from the attribute before opset 13 and from the input after', () => {
    expect(infer({ op: 'Unsqueeze', opset: 11, inputs: [['n']], attrs: { axes: [0, -1] } })).toEqual([[1, 'n', 1]]);
    expect(infer({ op: 'Unsqueeze', opset: 13, inputs: [['n'], [1]], constants: { 1: [1] } })).toEqual([['n', 1]]);
    expect(infer({ op: 'Unsqueeze', opset: 13, inputs: [['n'], [1]] })).toEqual([undefined]);
  });
  it('Slice computes constant slices of known dims and leaves the rest unknown', () => {
    const c = { 1: [1], 2: [9223372036854775807], 3: [1] };
    expect(infer({ op: 'Slice', opset: 13, inputs: [['b', 10], [1], [1], [1]], constants: c })).toEqual([['b', 9]]);
    expect(infer({ op: 'Slice', opset: 13, inputs: [['b', 10], [1], [1]] })).toEqual([[undefined, undefined]]);
    expect(infer({ op: 'Slice', opset: 13, inputs: [[10], [1], [1], [1], [1]], constants: { 1: [-1], 2: [-11], 3: [0], 4: [-1] } })).toEqual([[10]]);
  });
  it('reductions keep or drop the reduced axes', () => {
    expect(infer({ op: 'ReduceMean', opset: 13, inputs: [['b', 's', 64]], attrs: { axes: [-1] } })).toEqual([['b', 's', 1]]);
    expect(infer({ op: 'ReduceMean', opset: 13, inputs: [['b', 's', 64]], attrs: { axes: [1], keepdims: 0 } })).toEqual([['b', 64]]);
    expect(infer({ op: 'ReduceSum', opset: 13, inputs: [['b', 's'], [1]], constants: { 1: [0] } })).toEqual([[1, 's']]);
  });
  it('Gather, Transpose, Shape, Range, Expand, Flatten, LayerNormalization', () => {
    expect(infer({ op: 'Gather', inputs: [[50, 64], ['b', 's']] })).toEqual([['b', 's', 64]]);
    expect(infer({ op: 'Transpose', inputs: [['a', 'b', 'c']], attrs: { perm: [0, 2, 1] } })).toEqual([['a', 'c', 'b']]);
    expect(infer({ op: 'Shape', opset: 15, inputs: [['a', 'b', 'c']], attrs: { start: 1 } })).toEqual([[2]]);
    expect(infer({ op: 'Range', inputs: [[], [], []], constants: { 0: [0], 1: [10], 2: [3] } })).toEqual([[4]]);
    expect(infer({ op: 'Range', inputs: [[], [], []] })).toEqual([[undefined]]);
    expect(infer({ op: 'Expand', inputs: [['b', 1, 64], [3]], constants: { 1: [1, 7, 1] } })).toEqual([['b', 7, 64]]);
    expect(infer({ op: 'Flatten', inputs: [[2, 3, 'n']] })).toEqual([[2, undefined]]);
    expect(infer({ op: 'LayerNormalization', inputs: [['b', 's', 64], [64]], attrs: { axis: -1 }, outputs: 3 })).toEqual([
      ['b', 's', 64],
      ['b', 's', 1],
      ['b', 's', 1],
    ]);
  });
  it('gives no shape, rather than allocating, when a computed shape argument claims a huge rank', () => {
    expect(infer({ op: 'Reshape', inputs: [[2, 3], [3_000_000_000]] })).toEqual([undefined]);
    expect(infer({ op: 'ConstantOfShape', inputs: [[3_000_000_000]] })).toEqual([undefined]);
    expect(infer({ op: 'Expand', inputs: [[2, 3], [3_000_000_000]] })).toEqual([undefined]);
    expect(infer({ op: 'ConstantOfShape', inputs: [[2]] })).toEqual([[undefined, undefined]]);
  });
  it('infers nothing for an op it has no rule for', () => {
    expect(infer({ op: 'NonMaxSuppression', inputs: [[1, 3, 4], [1, 1, 3]] })).toEqual([]);
  });

  it('Conv and pools: kernel from the weight or attribute, pads, strides, dilations, auto_pad, ceil_mode', () => {
    expect(infer({ op: 'Conv', inputs: [['batch', 3, 8, 8], [4, 3, 3, 3]] })).toEqual([['batch', 4, 6, 6]]);
    expect(infer({ op: 'Conv', inputs: [['b', 80, 3000], [384, 80, 3]], attrs: { pads: [1, 1], strides: [2] } })).toEqual([['b', 384, 1500]]);
    expect(infer({ op: 'Conv', inputs: [[1, 3, 'h', 9], [4, 3, 3, 3]], attrs: { dilations: [1, 2] } })).toEqual([[1, 4, undefined, 5]]);
    expect(infer({ op: 'Conv', inputs: [[1, 3, 7, 7], [4, 3, 3, 3]], attrs: { strides: [2, 2] }, strings: { auto_pad: 'SAME_UPPER' } })).toEqual([[1, 4, 4, 4]]);
    expect(infer({ op: 'MaxPool', inputs: [[1, 3, 6, 6]], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, outputs: 2 })).toEqual([[1, 3, 3, 3], [1, 3, 3, 3]]);
    expect(infer({ op: 'AveragePool', inputs: [[1, 3, 6, 6]], attrs: { kernel_shape: [3, 3], strides: [2, 2] } })).toEqual([[1, 3, 2, 2]]);
    expect(infer({ op: 'GlobalAveragePool', inputs: [['n', 8, 7, 7]] })).toEqual([['n', 8, 1, 1]]);
    expect(infer({ op: 'ConvTranspose', inputs: [[1, 4, 5, 5], [4, 2, 3, 3]], attrs: { strides: [2, 2] } })).toEqual([[1, 2, 11, 11]]);
  });

  it('GatherND and the Scatter ops (as onnx 1.12 infers the backend suite\'s cases)', () => {
    expect(infer({ op: 'GatherND', inputs: [[2, 2, 2], [2, 1, 2]] })).toEqual([[2, 1, 2]]);
    expect(infer({ op: 'GatherND', inputs: [[2, 2, 2], [2, 1]], attrs: { batch_dims: 1 } })).toEqual([[2, 2]]);
    expect(infer({ op: 'ScatterND', inputs: [[4, 4, 4], [2, 1], [2, 4, 4]] })).toEqual([[4, 4, 4]]);
  });

  it('Resize and Pad with constant arguments; the rank only when computed at run time', () => {
    expect(infer({ op: 'Resize', opset: 13, inputs: [['n', 4, 8, 8], [0], [4]], floats: { 2: [1, 1, 2, 2] } })).toEqual([[undefined, 4, 16, 16]]);
    expect(infer({ op: 'Resize', opset: 13, inputs: [['n', 4, 8, 8], [0], [0], [4]], constants: { 3: [2, 4, 3, 3] } })).toEqual([[2, 4, 3, 3]]);
    expect(infer({ op: 'Resize', opset: 13, inputs: [['n', 4, 8, 8], [0], [4]] })).toEqual([[undefined, undefined, undefined, undefined]]);
    expect(infer({ op: 'Pad', opset: 13, inputs: [['n', 4, 8], [6]], constants: { 1: [0, 0, 1, 0, 0, 2] } })).toEqual([['n', 4, 11]]);
    expect(infer({ op: 'Pad', opset: 13, inputs: [['n', 4, 8], [6]] })).toEqual([[undefined, undefined, undefined]]);
  });
});
