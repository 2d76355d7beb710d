import { describe, expect, it } from 'vitest';
import { DataType } from '../onnx/proto-types';
import { node } from '../testing/build-model';
import { groupAllowsFloat16, isSchemaDomain, lookupSchema, slotGroups, type OpSchema } from './schema';
import { parseTypeString } from './type-codes';

const F = DataType.FLOAT;
const F16 = DataType.FLOAT16;

function schema(opType: string, opset = 17, domain = ''): OpSchema {
  const s = lookupSchema(domain, opType, opset);
  if (!s) throw new Error(`no schema for ${opType}@${opset}`);
  return s;
}

/** Groups as [typeParam ?? '#fixed', inputs, outputs] for compact expectations. */
function shape(opType: string, inputs: string[], outputs: string[], opset = 17, domain = '') {
  return slotGroups(node(opType, inputs, outputs), schema(opType, opset, domain)).map((g) => [g.typeParam ?? '#fixed', g.inputs, g.outputs]);
}

describe('lookupSchema', () => {
  it('picks the version with the largest since_version not above the opset', () => {
    expect(lookupSchema('', 'Resize', 10)?.sinceVersion).toBe(10);
    expect(lookupSchema('', 'Resize', 12)?.sinceVersion).toBe(11);
    expect(lookupSchema('', 'Resize', 18)?.sinceVersion).toBe(18);
    expect(lookupSchema('', 'Clip', 11)?.sinceVersion).toBe(11);
  });

  it('treats ai.onnx and the empty domain as one', () => {
    expect(lookupSchema('ai.onnx', 'MatMul', 14)).toBe(lookupSchema('', 'MatMul', 14));
  });

  it('returns undefined for unknown ops, ops newer than the opset and unknown domains', () => {
    expect(lookupSchema('', 'NoSuchOp', 17)).toBeUndefined();
    expect(lookupSchema('', 'Gelu', 19)).toBeUndefined(); // onnx's Gelu is from 20
    expect(lookupSchema('my.custom', 'Foo', 1)).toBeUndefined();
    expect(isSchemaDomain('my.custom')).toBe(false);
    expect(isSchemaDomain('ai.onnx')).toBe(true);
    expect(isSchemaDomain('com.microsoft')).toBe(true);
  });

  it('knows the onnxruntime contrib ops', () => {
    const s = schema('SkipLayerNormalization', 1, 'com.microsoft');
    expect(s.typeConstraints.get('U')).toEqual([F]);
    expect(s.typeConstraints.get('T')).toContain(F16);
  });

  it('decodes fixed-type formals and options', () => {
    const resize = schema('Resize', 18);
    expect(resize.inputs.map((f) => [f.name, f.typeParam ?? f.fixedType, f.option])).toEqual([
      ['X', 'T1', 'single'],
      ['roi', 'T2', 'optional'],
      ['scales', F, 'optional'],
      ['sizes', DataType.INT64, 'optional'],
    ]);
    expect(schema('Loop', 17).inputs[2]).toMatchObject({ option: 'variadic', homogeneous: false });
    expect(schema('Concat', 13).inputs[0]).toMatchObject({ option: 'variadic', homogeneous: true });
  });

  it('keeps sequence types distinguishable from tensors', () => {
    const allowed = schema('SequenceAt', 11).typeConstraints.get('S')!;
    expect(allowed).toContain(parseTypeString('seq(tensor(float))'));
    expect(allowed.every((t) => t < 0)).toBe(true);
  });
});

describe('slotGroups', () => {
  it('MatMul: one group for A, B and Y', () => {
    expect(shape('MatMul', ['a', 'b'], ['y'])).toEqual([['T', [0, 1], [0]]]);
  });

  it('Gather: data and output share T, indices are Tind', () => {
    const groups = slotGroups(node('Gather', ['data', 'idx'], ['out']), schema('Gather', 13));
    expect(groups.map((g) => [g.typeParam, g.inputs, g.outputs])).toEqual([['T', [0], [0]], ['Tind', [1], []]]);
    expect(groups[1].allowed).toEqual([DataType.INT32, DataType.INT64]);
    expect(groupAllowsFloat16(groups[0])).toBe(true);
    expect(groupAllowsFloat16(groups[1])).toBe(false);
  });

  it('Resize: scales is float only, an absent roi is left out', () => {
    const groups = slotGroups(node('Resize', ['x', '', 'scales'], ['y']), schema('Resize', 18));
    expect(groups.map((g) => [g.typeParam ?? '#fixed', g.inputs, g.outputs])).toEqual([['T1', [0], [0]], ['#fixed', [2], []]]);
    expect(groups[1].allowed).toEqual([F]);
    expect(groupAllowsFloat16(groups[1])).toBe(false);
  });

  it('Where: condition is bool, X, Y and output share T', () => {
    const groups = slotGroups(node('Where', ['c', 'x', 'y'], ['z']), schema('Where', 16));
    expect(groups.map((g) => [g.typeParam, g.inputs, g.outputs])).toEqual([['B', [0], []], ['T', [1, 2], [0]]]);
    expect(groups[0].allowed).toEqual([DataType.BOOL]);
  });

  it('Concat: every variadic input shares T with the output', () => {
    expect(shape('Concat', ['a', 'b', 'c', 'd'], ['y'], 13)).toEqual([['T', [0, 1, 2, 3], [0]]]);
  });

  it('Split: every variadic output shares T with the input; split is fixed int64', () => {
    const groups = slotGroups(node('Split', ['x', 'split'], ['a', 'b', 'c']), schema('Split', 13));
    expect(groups.map((g) => [g.typeParam ?? '#fixed', g.inputs, g.outputs])).toEqual([['T', [0], [0, 1, 2]], ['#fixed', [1], []]]);
    expect(groups[1].allowed).toEqual([DataType.INT64]);
  });

  it('LayerNormalization: Mean and InvStdDev form a U group that cannot be float16', () => {
    const groups = slotGroups(node('LayerNormalization', ['x', 'scale', 'bias'], ['y', 'mean', 'invstd']), schema('LayerNormalization', 17));
    expect(groups.map((g) => [g.typeParam, g.inputs, g.outputs])).toEqual([['T', [0, 1, 2], [0]], ['U', [], [1, 2]]]);
    expect(groupAllowsFloat16(groups[0])).toBe(true);
    expect(groupAllowsFloat16(groups[1])).toBe(false);
  });

  it('Loop: heterogeneous variadics give one group per position', () => {
    const groups = slotGroups(node('Loop', ['m', 'cond', 'v0', 'v1'], ['o0', 'o1', 'scan']), schema('Loop', 17));
    expect(groups.map((g) => [g.typeParam, g.inputs, g.outputs])).toEqual([
      ['I', [0], []],
      ['B', [1], []],
      ['V', [2], []],
      ['V', [3], []],
      ['V', [], [0]],
      ['V', [], [1]],
      ['V', [], [2]],
    ]);
  });

  it('knows the ai.onnx ops onnxruntime registers below their onnx opset (transformer-optimizer output)', () => {
    // LayerNormalization 1-16: onnxruntime's contrib form, X:T, Scale/B/Y:V, Mean/InvStdDev:U (float only).
    const ln = schema('LayerNormalization', 14);
    expect(ln.sinceVersion).toBe(1);
    const groups = slotGroups(node('LayerNormalization', ['x', 'scale', 'bias'], ['y']), ln);
    expect(groups.map((g) => [g.typeParam, g.inputs, g.outputs])).toEqual([['T', [0], []], ['V', [1, 2], [0]]]);
    expect(groups.every(groupAllowsFloat16)).toBe(true);
    expect(groupAllowsFloat16(slotGroups(node('LayerNormalization', ['x', 's'], ['y', 'm', 'i']), ln)[2])).toBe(false);
    expect(schema('LayerNormalization', 17).sinceVersion).toBe(17); // onnx's own from 17
    // SimplifiedLayerNormalization exists only in onnxruntime, in ai.onnx.
    expect(slotGroups(node('SimplifiedLayerNormalization', ['x', 'scale'], ['y']), schema('SimplifiedLayerNormalization', 14)).map((g) => g.typeParam)).toEqual(['T', 'V']);
    // Older registrations of ops onnx added later or dropped.
    expect(schema('ThresholdedRelu', 9).sinceVersion).toBe(1);
    expect(schema('ThresholdedRelu', 10).sinceVersion).toBe(10);
    expect(schema('MeanVarianceNormalization', 8).sinceVersion).toBe(1);
    expect(lookupSchema('', 'ImageScaler', 11)?.typeConstraints.get('T')).toEqual([F]);
  });

  it('leaves out absent optional outputs', () => {
    expect(shape('LayerNormalization', ['x', 'scale'], ['y', '', 'invstd'])).toEqual([['T', [0, 1], [0]], ['U', [], [2]]]);
  });
});
