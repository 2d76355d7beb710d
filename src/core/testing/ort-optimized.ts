// Graphs as onnxruntime's transformer optimizer (onnxruntime.transformers.optimizer.optimize_model) writes
// them, for tests that Castaway opens, plans and converts what onnxruntime loads (issue 9, item 1): the
// default domain at opset 14 with LayerNormalization / SimplifiedLayerNormalization, which onnxruntime
// registers in ai.onnx from opset 1 (onnx only from 17, and not SimplifiedLayerNormalization at all), and
// its com.microsoft fusions. Weights are deterministic sines.
import { DataType, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, node, valueInfo } from './build-model';

const MS = 'com.microsoft';

class Weights {
  readonly list: TensorProto[] = [];
  private seed = 1;
  add(name: string, dims: number[], scale = 0.2, offset = 0): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const s = this.seed++;
    this.list.push(floatTensor(name, dims, Array.from({ length: count }, (_, i) => offset + scale * Math.sin(s * 3.7 + i * 0.61))));
    return name;
  }
}

/**
 * A BERT layer after the optimizer: LayerNormalization (ai.onnx, opset 14), Attention, SkipLayerNormalization
 * (with bias), FastGelu, BiasGelu, Gelu, QuickGelu; input x [batch, sequence, 16]. At `opset` 17 or later the
 * LayerNormalization is onnx's own, and onnx.checker accepts the model.
 */
export function ortOptimizedBertModel(options: { epsilon?: number; opset?: number } = {}): ModelProto {
  const epsilon = options.epsilon ?? 1e-12;
  const H = 16;
  const w = new Weights();
  const eps = attr.float('epsilon', epsilon);
  const nodes: NodeProto[] = [
    node('LayerNormalization', ['x', w.add('ln_g', [H], 0.1, 1), w.add('ln_b', [H])], ['ln'], { name: 'LayerNorm', attributes: [attr.int('axis', -1), eps, attr.int('stash_type', 1)] }),
    node('Attention', ['ln', w.add('qkv_w', [H, 3 * H]), w.add('qkv_b', [3 * H])], ['attn'], { name: 'Attention_0', domain: MS, attributes: [attr.int('num_heads', 2)] }),
    node('MatMul', ['attn', w.add('o_w', [H, H])], ['attn_o'], { name: 'MatMul_o' }),
    node('SkipLayerNormalization', ['attn_o', 'ln', w.add('sln1_g', [H], 0.1, 1), w.add('sln1_b', [H]), w.add('o_b', [H])], ['sln1'], { name: 'SkipLayerNorm_0', domain: MS, attributes: [eps] }),
    node('MatMul', ['sln1', w.add('ff1_w', [H, 2 * H])], ['ff1'], { name: 'MatMul_ff1' }),
    node('FastGelu', ['ff1', w.add('ff1_b', [2 * H])], ['gelu_fast'], { name: 'FastGelu_0', domain: MS }),
    node('BiasGelu', ['gelu_fast', w.add('bg_b', [2 * H], 0.05)], ['gelu_bias'], { name: 'BiasGelu_0', domain: MS }),
    node('Gelu', ['gelu_bias'], ['gelu'], { name: 'Gelu_0', domain: MS }),
    node('QuickGelu', ['gelu'], ['gelu_q'], { name: 'QuickGelu_0', domain: MS, attributes: [attr.float('alpha', 1.702)] }),
    node('MatMul', ['gelu_q', w.add('ff2_w', [2 * H, H])], ['ff2'], { name: 'MatMul_ff2' }),
    node('SkipLayerNormalization', ['ff2', 'sln1', w.add('sln2_g', [H], 0.1, 1), w.add('sln2_b', [H]), w.add('ff2_b', [H])], ['y'], { name: 'SkipLayerNorm_1', domain: MS, attributes: [eps] }),
  ];
  return buildModel({
    opset: { '': options.opset ?? 14, [MS]: 1 },
    irVersion: options.opset && options.opset >= 17 ? 8 : 7,
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 'sequence', H])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'sequence', H])],
    initializers: w.list,
    nodes,
  });
}

/**
 * A Llama-style layer after the optimizer: SimplifiedLayerNormalization (ai.onnx), RotaryEmbedding,
 * MultiHeadAttention, SkipSimplifiedLayerNormalization; inputs x [batch, sequence, 16] and position_ids
 * int64 [batch, sequence] (< 32).
 */
export function ortOptimizedLlamaModel(epsilon = 1e-6): ModelProto {
  const H = 16;
  const heads = 2;
  const rotary = H / heads; // per head
  const w = new Weights();
  const eps = attr.float('epsilon', epsilon);
  // cos/sin caches [max_position, rotary / 2], as RotaryEmbedding reads them.
  const positions = 32;
  const half = rotary / 2;
  const angle = (p: number, i: number) => p / 10000 ** ((2 * i) / rotary);
  const cos = floatTensor('cos_cache', [positions, half], Array.from({ length: positions * half }, (_, k) => Math.cos(angle(Math.floor(k / half), k % half))));
  const sin = floatTensor('sin_cache', [positions, half], Array.from({ length: positions * half }, (_, k) => Math.sin(angle(Math.floor(k / half), k % half))));
  const rope = (x: string, out: string) =>
    node('RotaryEmbedding', [x, 'position_ids', 'cos_cache', 'sin_cache'], [out], { name: `Rotary_${out}`, domain: MS, attributes: [attr.int('num_heads', heads)] });
  const nodes: NodeProto[] = [
    node('SimplifiedLayerNormalization', ['x', w.add('rms_g', [H], 0.1, 1)], ['rms'], { name: 'RMSNorm', attributes: [attr.int('axis', -1), eps, attr.int('stash_type', 1)] }),
    node('MatMul', ['rms', w.add('q_w', [H, H])], ['q'], { name: 'MatMul_q' }),
    node('MatMul', ['rms', w.add('k_w', [H, H])], ['k'], { name: 'MatMul_k' }),
    node('MatMul', ['rms', w.add('v_w', [H, H])], ['v'], { name: 'MatMul_v' }),
    rope('q', 'q_rot'),
    rope('k', 'k_rot'),
    node('MultiHeadAttention', ['q_rot', 'k_rot', 'v'], ['attn'], { name: 'MHA_0', domain: MS, attributes: [attr.int('num_heads', heads)] }),
    node('MatMul', ['attn', w.add('o_w', [H, H])], ['attn_o'], { name: 'MatMul_o' }),
    node('SkipSimplifiedLayerNormalization', ['attn_o', 'x', w.add('post_g', [H], 0.1, 1)], ['y'], { name: 'SkipRMSNorm', domain: MS, attributes: [eps] }),
  ];
  return buildModel({
    opset: { '': 14, [MS]: 1 },
    irVersion: 7,
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 'sequence', H]), valueInfo('position_ids', DataType.INT64, ['batch', 'sequence'])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'sequence', H])],
    initializers: [...w.list, cos, sin],
    nodes,
  });
}


/**
 * A UNet block after the optimizer (unet model type): NhwcConv, GroupNorm with SiLU (activation 1,
 * channels_last), BiasSplitGelu, BiasAdd: com.microsoft ops that only CUDA (and DirectML) implement, so
 * onnxruntime's CPU EP cannot load it. Input x [batch, 8, 8, 16] (NHWC).
 */
export function ortOptimizedUnetModel(): ModelProto {
  const C = 16;
  const w = new Weights();
  const nodes: NodeProto[] = [
    node('NhwcConv', ['x', w.add('conv_w', [C, C, 3, 3]), w.add('conv_b', [C])], ['conv'], { name: 'NhwcConv_0', domain: MS, attributes: [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])] }),
    node('GroupNorm', ['conv', w.add('gn_g', [C], 0.1, 1), w.add('gn_b', [C])], ['gn'], {
      name: 'GroupNorm_0',
      domain: MS,
      attributes: [attr.int('groups', 4), attr.float('epsilon', 1e-5), attr.int('activation', 1), attr.int('channels_last', 1)],
    }),
    node('MatMul', ['gn', w.add('proj_w', [C, 4 * C])], ['proj'], { name: 'MatMul_proj' }),
    node('BiasSplitGelu', ['proj', w.add('proj_b', [4 * C])], ['geglu'], { name: 'BiasSplitGelu_0', domain: MS }),
    node('MatMul', ['geglu', w.add('out_w', [2 * C, C])], ['out'], { name: 'MatMul_out' }),
    node('BiasAdd', ['out', w.add('out_b', [C]), 'conv'], ['y'], { name: 'BiasAdd_0', domain: MS }),
  ];
  return buildModel({
    opset: { '': 17, [MS]: 1 },
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 8, 8, C])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 8, 8, C])],
    initializers: w.list,
    nodes,
  });
}
