import { describe, expect, it } from 'vitest';
import { DataType, type GraphProto, type NodeProto, type ValueInfoProto } from '../onnx/proto-types';
import { attr, buildGraph, constant, floatTensor, int64Tensor, node, valueInfo, type GraphSpec } from '../testing/build-model';
import { elementTypeIn, inferElementTypes } from './infer';
import { parseTypeString } from './type-codes';

const F = DataType.FLOAT;
const F16 = DataType.FLOAT16;
const I64 = DataType.INT64;
const I32 = DataType.INT32;
const B = DataType.BOOL;
const D = DataType.DOUBLE;
const U8 = DataType.UINT8;
const S = DataType.STRING;

function infer(spec: GraphSpec, opset: number | Record<string, number> = 17, outer?: ReadonlyMap<string, number>) {
  const graph = buildGraph(spec);
  const opsets = new Map(Object.entries(typeof opset === 'number' ? { '': opset } : opset));
  const types = inferElementTypes(graph, opsets, outer);
  return { graph, types, t: (name: string) => types.main.get(name) };
}

const x = (name = 'x', type = F) => valueInfo(name, type, ['n', 4]);

describe('inferElementTypes: seeds and type parameters', () => {
  it('binds a type parameter from an input and carries it through', () => {
    const { t } = infer({
      inputs: [x(), x('w', F16)],
      initializers: [floatTensor('b', [4], [1, 2, 3, 4])],
      nodes: [node('Add', ['x', 'b'], ['y']), node('Relu', ['y'], ['z']), node('Relu', ['w'], ['w2'])],
    });
    expect([t('x'), t('b'), t('y'), t('z'), t('w2')]).toEqual([F, F, F, F, F16]);
  });

  it('Cast follows its "to" attribute; CastLike its second input', () => {
    const { t } = infer({
      inputs: [x(), x('like', F16)],
      nodes: [
        node('Cast', ['x'], ['h'], { attributes: [attr.int('to', F16)] }),
        node('Cast', ['h'], ['i'], { attributes: [attr.int('to', I64)] }),
        node('CastLike', ['x', 'like'], ['c']),
      ],
    });
    expect([t('h'), t('i'), t('c')]).toEqual([F16, I64, F16]);
  });

  it('Shape and Size give int64; comparisons and IsNaN give bool', () => {
    const { t } = infer({
      inputs: [x(), x('y')],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Size', ['x'], ['n']),
        node('Equal', ['x', 'y'], ['eq']),
        node('Less', ['x', 'y'], ['lt']),
        node('GreaterOrEqual', ['x', 'y'], ['ge']),
        node('IsNaN', ['x'], ['nan']),
        node('Not', ['eq'], ['ne']),
        node('ArgMax', ['x'], ['am']),
      ],
    });
    expect([t('s'), t('n'), t('eq'), t('lt'), t('ge'), t('nan'), t('ne'), t('am')]).toEqual([I64, I64, B, B, B, B, B, I64]);
  });

  it('Where takes X and Y type, not the condition type', () => {
    const { t } = infer({
      inputs: [x('c', B), x('a', F16), x('b', F16)],
      nodes: [node('Where', ['c', 'a', 'b'], ['w'])],
    });
    expect(t('w')).toBe(F16);
  });

  it('LayerNormalization: Y is T, Mean and InvStdDev are float (stash_type) even for float16 inputs', () => {
    const { t } = infer({
      inputs: [x('x', F16), x('s', F16), x('b', F16)],
      nodes: [
        node('LayerNormalization', ['x', 's', 'b'], ['y', 'mean', 'inv']),
        node('LayerNormalization', ['x', 's'], ['y2', '', 'inv2'], { attributes: [attr.int('stash_type', D)] }),
      ],
    });
    expect([t('y'), t('mean'), t('inv'), t('y2'), t('inv2')]).toEqual([F16, F, F, F16, D]);
  });

  it('Gather keeps data type; Split types every output', () => {
    const { t } = infer({
      inputs: [x('data', F16), x('idx', I64)],
      nodes: [node('Gather', ['data', 'idx'], ['g']), node('Split', ['data'], ['a', 'b', 'c'], { attributes: [attr.int('num_outputs', 3)] })],
    }, 18);
    expect([t('g'), t('a'), t('b'), t('c')]).toEqual([F16, F16, F16, F16]);
  });
});

describe('inferElementTypes: attribute-typed outputs', () => {
  it('Constant from each kind of value attribute', () => {
    const { t } = infer({
      nodes: [
        constant('ct', int64Tensor('', [1], [3])),
        node('Constant', [], ['cf'], { attributes: [attr.float('value_float', 1)] }),
        node('Constant', [], ['cfs'], { attributes: [attr.floats('value_floats', [1, 2])] }),
        node('Constant', [], ['ci'], { attributes: [attr.int('value_int', 1)] }),
        node('Constant', [], ['cis'], { attributes: [attr.ints('value_ints', [1])] }),
        node('Constant', [], ['cs'], { attributes: [attr.string('value_string', 'a')] }),
      ],
    });
    expect([t('ct'), t('cf'), t('cfs'), t('ci'), t('cis'), t('cs')]).toEqual([I64, F, F, I64, I64, S]);
  });

  it('ConstantOfShape: value tensor type, float without one', () => {
    const { t } = infer({
      inputs: [x('shape', I64)],
      nodes: [
        node('ConstantOfShape', ['shape'], ['z']),
        node('ConstantOfShape', ['shape'], ['o'], { attributes: [attr.tensor('value', int64Tensor('v', [1], [1]))] }),
      ],
    });
    expect([t('z'), t('o')]).toEqual([F, I64]);
  });

  it('dtype attributes and their spec defaults', () => {
    const { t } = infer({
      inputs: [x('h', F16), x('p', F)],
      nodes: [
        node('RandomNormal', [], ['rn'], { attributes: [attr.ints('shape', [2])] }),
        node('RandomUniform', [], ['ru'], { attributes: [attr.ints('shape', [2]), attr.int('dtype', D)] }),
        node('RandomNormalLike', ['h'], ['rnl']),
        node('RandomUniformLike', ['h'], ['rul'], { attributes: [attr.int('dtype', F)] }),
        node('EyeLike', ['h'], ['eye']),
        node('EyeLike', ['h'], ['eye64'], { attributes: [attr.int('dtype', I64)] }),
        node('Bernoulli', ['p'], ['bern']),
        node('Multinomial', ['p'], ['multi']),
        node('Multinomial', ['p'], ['multi64'], { attributes: [attr.int('dtype', I64)] }),
      ],
    });
    expect([t('rn'), t('ru'), t('rnl'), t('rul'), t('eye'), t('eye64'), t('bern'), t('multi'), t('multi64')])
      .toEqual([F, D, F16, F, F16, I64, F, I32, I64]);
  });

  it('QuantizeLinear: zero point type, else uint8; DequantizeLinear gives float', () => {
    const { t } = infer({
      inputs: [x(), x('scale'), x('zp', DataType.INT8)],
      nodes: [
        node('QuantizeLinear', ['x', 'scale'], ['q']),
        node('QuantizeLinear', ['x', 'scale', 'zp'], ['q8']),
        node('DequantizeLinear', ['q', 'scale'], ['dq']),
      ],
    }, 19);
    expect([t('q'), t('q8'), t('dq')]).toEqual([U8, DataType.INT8, F]);
  });

  it('sequence and optional ops wrap and unwrap', () => {
    const { t } = infer({
      inputs: [x(), x('pos', I64)],
      nodes: [
        node('SequenceConstruct', ['x', 'x'], ['seq']),
        node('SequenceAt', ['seq', 'pos'], ['item']),
        node('SequenceEmpty', [], ['empty'], { attributes: [attr.int('dtype', F16)] }),
        node('ConcatFromSequence', ['seq'], ['cat'], { attributes: [attr.int('axis', 0)] }),
        node('SequenceLength', ['seq'], ['len']),
        node('Optional', ['x'], ['opt']),
        node('OptionalGetElement', ['opt'], ['got']),
        node('OptionalHasElement', ['opt'], ['has']),
      ],
    }, 18);
    expect(t('seq')).toBe(parseTypeString('seq(tensor(float))'));
    expect(t('empty')).toBe(parseTypeString('seq(tensor(float16))'));
    expect(t('opt')).toBe(parseTypeString('optional(tensor(float))'));
    expect([t('item'), t('cat'), t('len'), t('got'), t('has')]).toEqual([F, F, I64, F, B]);
  });
});

function body(spec: GraphSpec): GraphProto {
  return buildGraph({ name: 'body', ...spec });
}

describe('inferElementTypes: subgraphs', () => {
  it('If: outputs from the branches, which see the outer scope', () => {
    const thenBranch = body({ outputs: [valueInfo('t_out', 0)], nodes: [node('Mul', ['x', 'x'], ['t_out'])] });
    const elseBranch = body({ outputs: [valueInfo('e_out', 0)], nodes: [node('Neg', ['x'], ['e_out'])] });
    const { types, t } = infer({
      inputs: [x('x', F16), x('c', B)],
      nodes: [node('If', ['c'], ['r'], { attributes: [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)] })],
    });
    expect(t('r')).toBe(F16);
    expect(types.graphs.get(thenBranch)?.get('t_out')).toBe(F16);
    expect(types.parents.get(elseBranch)).toBe(types.graphs.keys().next().value);
    expect(elementTypeIn(types, thenBranch, 'x')).toBe(F16);
    expect(elementTypeIn(types, thenBranch, 'nope')).toBeUndefined();
  });

  it('Loop: carried values keep their type, scan outputs come from the body, body formals are typed', () => {
    // body(iter, cond, acc) -> (cond_out, acc_out, scan_out)
    const loopBody = body({
      inputs: [valueInfo('iter', 0), valueInfo('cond_in', 0), valueInfo('acc', 0)],
      outputs: [valueInfo('cond_out', 0), valueInfo('acc_out', 0), valueInfo('scan_out', 0)],
      nodes: [
        node('Identity', ['cond_in'], ['cond_out']),
        node('Add', ['acc', 'w'], ['acc_out']),
        node('Cast', ['iter'], ['scan_out'], { attributes: [attr.int('to', I32)] }),
      ],
    });
    const { types, t } = infer({
      inputs: [x('m', I64), x('c', B), x('acc0', F), x('w', F)],
      nodes: [node('Loop', ['m', 'c', 'acc0'], ['acc_final', 'scans'], { attributes: [attr.graph('body', loopBody)] })],
    });
    expect([t('acc_final'), t('scans')]).toEqual([F, I32]);
    const inner = types.graphs.get(loopBody)!;
    expect([inner.get('iter'), inner.get('cond_in'), inner.get('acc'), inner.get('acc_out')]).toEqual([I64, B, F, F]);
  });

  it('Scan: outputs positionally from the body', () => {
    const scanBody = body({
      inputs: [valueInfo('state', 0), valueInfo('slice', 0)],
      outputs: [valueInfo('state_out', 0), valueInfo('y', 0)],
      nodes: [node('Add', ['state', 'slice'], ['state_out']), node('Cast', ['slice'], ['y'], { attributes: [attr.int('to', F16)] })],
    });
    const { t } = infer({
      inputs: [x('s0'), x('seq')],
      nodes: [node('Scan', ['s0', 'seq'], ['s_final', 'ys'], { attributes: [attr.graph('body', scanBody), attr.int('num_scan_inputs', 1)] })],
    });
    expect([t('s_final'), t('ys')]).toEqual([F, F16]);
  });

  it('nested bodies see every enclosing scope; outer types are honoured at the top', () => {
    const inner = body({ outputs: [valueInfo('deep', 0)], nodes: [node('Add', ['captured', 'x'], ['deep'])] });
    const outerBranch = body({
      outputs: [valueInfo('mid', 0)],
      nodes: [node('If', ['c'], ['mid'], { attributes: [attr.graph('then_branch', inner), attr.graph('else_branch', inner)] })],
    });
    const { types, t } = infer(
      {
        inputs: [x('x', F16), x('c', B)],
        nodes: [node('If', ['c'], ['r'], { attributes: [attr.graph('then_branch', outerBranch), attr.graph('else_branch', outerBranch)] })],
      },
      17,
      new Map([['captured', F16]]),
    );
    expect(t('r')).toBe(F16);
    expect(elementTypeIn(types, inner, 'deep')).toBe(F16);
    expect(elementTypeIn(types, inner, 'captured')).toBe(F16);
  });
});

describe('inferElementTypes: declared types, opaque ops, order', () => {
  it('records value_info disagreements and keeps the spec type', () => {
    const { types, t } = infer({
      inputs: [x()],
      outputs: [valueInfo('z', F16)],
      valueInfo: [valueInfo('y', F16)],
      nodes: [node('Relu', ['x'], ['y']), node('Relu', ['y'], ['z'])],
    });
    expect([t('y'), t('z')]).toEqual([F, F]);
    expect(types.disagreements.map((d) => [d.value, d.declared, d.inferred])).toEqual([['y', F16, F], ['z', F16, F]]);
  });

  it('a declared type settles what the spec leaves open', () => {
    const { types, t } = infer({
      inputs: [x('shape', I64)],
      valueInfo: [valueInfo('r', F16)],
      nodes: [node('RandomNormal', [], ['r'], { attributes: [attr.ints('shape', [2])] }), node('Cast', ['shape'], ['u'])],
    });
    // RandomNormal's dtype default is float: the spec decides, so the declaration is a disagreement.
    expect(t('r')).toBe(F);
    expect(types.disagreements).toHaveLength(1);
    // Cast without 'to' leaves T2 open: the guess is float.
    expect(t('u')).toBe(F);
  });

  it('custom-domain ops are opaque: declared output types, else none', () => {
    const { types, t } = infer({
      inputs: [x()],
      valueInfo: [valueInfo('known', F16)],
      nodes: [node('Fancy', ['x'], ['known', 'unknown'], { domain: 'my.ops' }), node('Relu', ['known'], ['after'])],
    }, { '': 17, 'my.ops': 1 });
    expect([t('known'), t('unknown'), t('after')]).toEqual([F16, undefined, F16]);
    expect(types.untyped.map((u) => [u.node.opType, u.reason])).toEqual([['Fancy', 'custom-domain']]);
  });

  it('marks unknown ops of known domains', () => {
    const { types } = infer({ inputs: [x()], nodes: [node('Frobnicate', ['x'], ['y'])] });
    expect(types.untyped.map((u) => u.reason)).toEqual(['unknown-op']);
  });

  it('types com.microsoft ops from the contrib schemas', () => {
    const { t } = infer({
      inputs: [x('a', F16), x('s', F16), x('g', F16)],
      nodes: [node('SkipLayerNormalization', ['a', 's', 'g'], ['out', 'mean', 'inv', 'sum'], { domain: 'com.microsoft' }), node('FastGelu', ['out'], ['act'], { domain: 'com.microsoft' })],
    }, { '': 17, 'com.microsoft': 1 });
    expect([t('out'), t('mean'), t('inv'), t('sum'), t('act')]).toEqual([F16, F, F, F16, F16]);
  });

  it('handles nodes listed out of topological order', () => {
    const nodes: NodeProto[] = [node('Relu', ['h'], ['z']), node('Cast', ['x'], ['h'], { attributes: [attr.int('to', F16)] })];
    const { t } = infer({ inputs: [x()], nodes });
    expect(t('z')).toBe(F16);
  });

  it('graph input types win over initializers of the same name, which is recorded', () => {
    const input: ValueInfoProto = valueInfo('w', F16, [4]);
    const { types, t } = infer({ inputs: [input], initializers: [floatTensor('w', [4], [1, 2, 3, 4])], nodes: [node('Relu', ['w'], ['y'])] });
    expect([t('w'), t('y')]).toEqual([F16, F16]);
    expect(types.disagreements.map((d) => d.value)).toEqual(['w']);
  });
});
