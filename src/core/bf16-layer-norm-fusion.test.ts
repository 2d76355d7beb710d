// Under bf16, no Cast(bf16 -> float) may be the "leading Cast" of a decomposed LayerNorm kept fp32: onnxruntime's
// LayerNormFusion folds such a Cast (read only by the norm's ReduceMean and Sub) into the fused
// LayerNormalization, which then has bfloat16 X and float scale/output, a type mix with no kernel: the GPU
// matrix's GPT-2 with "norms and Softmax in fp32" in bf16 did not load on the CUDA EP (docs/bf16.md).
import { describe, expect, it } from 'vitest';
import { convertModel, openModel } from './engine';
import { PRESETS } from './recipe';
import { DataType, type NodeProto } from './onnx/proto-types';
import { decodeModel, encodeModel } from './serde';
import { attr, buildModel, floatTensor, node, valueInfo } from './testing/build-model';

const H = 8;
const w = (name: string) => floatTensor(name, [H, H], Array.from({ length: H * H }, (_, i) => Math.sin(i + name.length)));
const scalar = (name: string, v: number) => floatTensor(name, [], [v]);

/** x -> MatMul -> [decomposed LayerNorm under /ln_1/, as torch exports it below opset 17] -> MatMul -> y. */
function model() {
  return openModel(encodeModel(buildModel({
    opset: 14,
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 'seq', H])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'seq', H])],
    initializers: [w('w1'), w('w2'), scalar('two', 2), scalar('eps', 1e-5), floatTensor('g', [H], new Array(H).fill(1.5)), floatTensor('b', [H], new Array(H).fill(0.1))],
    nodes: [
      node('MatMul', ['x', 'w1'], ['h'], { name: '/h.0/attn/MatMul' }),
      node('ReduceMean', ['h'], ['mean'], { name: '/h.0/ln_1/ReduceMean', attributes: [attr.ints('axes', [-1])] }),
      node('Sub', ['h', 'mean'], ['d'], { name: '/h.0/ln_1/Sub' }),
      node('Pow', ['d', 'two'], ['sq'], { name: '/h.0/ln_1/Pow' }),
      node('ReduceMean', ['sq'], ['var'], { name: '/h.0/ln_1/ReduceMean_1', attributes: [attr.ints('axes', [-1])] }),
      node('Add', ['var', 'eps'], ['ve'], { name: '/h.0/ln_1/Add' }),
      node('Sqrt', ['ve'], ['sd'], { name: '/h.0/ln_1/Sqrt' }),
      node('Div', ['d', 'sd'], ['n'], { name: '/h.0/ln_1/Div' }),
      node('Mul', ['n', 'g'], ['ng'], { name: '/h.0/ln_1/Mul' }),
      node('Add', ['ng', 'b'], ['ln'], { name: '/h.0/ln_1/Add_1' }),
      node('MatMul', ['ln', 'w2'], ['y'], { name: '/h.0/mlp/MatMul' }),
    ],
  })));
}

/** Casts to float read only by one ReduceMean and Subs: what LayerNormFusion takes as a leading Cast. */
function leadingCasts(nodes: NodeProto[]): NodeProto[] {
  return nodes.filter((c) => {
    if (c.opType !== 'Cast' || Number(c.attribute?.find((a) => a.name === 'to')?.i) !== DataType.FLOAT) return false;
    const readers = nodes.filter((n) => n.input?.includes(c.output![0]));
    return readers.some((n) => n.opType === 'ReduceMean') && readers.some((n) => n.opType === 'Sub') && readers.every((n) => n.opType === 'ReduceMean' || n.opType === 'Sub');
  });
}

describe('bf16: a decomposed norm kept fp32 gets no leading Cast for onnxruntime to fold', () => {
  const norms = PRESETS.find((p) => p.id === 'norms-softmax-fp32')!.recipe;
  const recipe = { ...norms, targetEp: 'cuda' as const, keepIoTypes: true };

  it('bf16: the norm reads its input in float, produced fp32 (the Cast sits before the producer)', () => {
    const out = convertModel(model(), { ...recipe, lowPrecision: 'bf16' });
    const nodes = decodeModel(out.bytes).graph!.node!;
    expect(leadingCasts(nodes)).toEqual([]);
    expect(out.report.nodePrecision[0]).toBe('fp32');
    expect(out.report.nodeReasons[0]).toBe('spec');
  });

  it('fp16 is unchanged: the fused norm has a float16-X kernel, so the producer stays fp16', () => {
    const out = convertModel(model(), { ...recipe, lowPrecision: 'fp16' });
    expect(out.report.nodePrecision[0]).toBe('low');
    expect(leadingCasts(decodeModel(out.bytes).graph!.node!)).toHaveLength(1);
  });
});
