// A Whisper-encoder-like front end for shape tests: two Conv1d with erf GELU (the second with stride 2),
// Transpose to [batch, frames, channels], positional Add, LayerNormalization, then a few CNN/UNet ops
// whose shape rules onnxruntime's fusions rely on through value_info (Pad, MaxPool, Resize with constant
// scales, GlobalAveragePool, InstanceNormalization, ConvTranspose). Without a Conv rule, nothing after the
// first Conv had a shape (GPU matrix, Whisper encoder). src/core/shapes/testdata/conv-encoder-o17.onnx is
// this model encoded (regenerate with `npx tsx -e` calling writeConvEncoderModel, then
// scripts/gen-shape-reference.py for onnx's shapes).
import { DataType, type ModelProto, type NodeProto } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, int64Tensor, node, valueInfo } from './build-model';

export function convEncoderModel(): ModelProto {
  const MEL = 8;
  const FRAMES = 32;
  const D = 16;
  const wave = (name: string, dims: number[]) => floatTensor(name, dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 0.2));
  const gelu = (x: string, p: string): NodeProto[] => [
    node('Div', [x, 'sqrt2'], [`${p}_div`], { name: `${p}_Div` }),
    node('Erf', [`${p}_div`], [`${p}_erf`], { name: `${p}_Erf` }),
    node('Add', [`${p}_erf`, 'one'], [`${p}_add`], { name: `${p}_Add` }),
    node('Mul', [x, `${p}_add`], [`${p}_mul`], { name: `${p}_Mul` }),
    node('Mul', [`${p}_mul`, 'half'], [`${p}_out`], { name: `${p}_Mul_1` }),
  ];
  return buildModel({
    opset: 17,
    inputs: [valueInfo('input_features', DataType.FLOAT, ['batch', MEL, FRAMES])],
    outputs: [valueInfo('hidden', DataType.FLOAT, ['batch', FRAMES / 2, D]), valueInfo('image', DataType.FLOAT, ['batch', 4, 1, 1])],
    initializers: [
      wave('conv1_w', [D, MEL, 3]), wave('conv1_b', [D]), wave('conv2_w', [D, D, 3]), wave('conv2_b', [D]),
      floatTensor('sqrt2', [], [Math.SQRT2]), floatTensor('one', [], [1]), floatTensor('half', [], [0.5]),
      wave('pos', [FRAMES / 2, D]), floatTensor('ln_g', [D], new Array(D).fill(1)), floatTensor('ln_b', [D], new Array(D).fill(0)),
      int64Tensor('img_shape', [4], [0, D, 4, 4]), int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]),
      floatTensor('scales', [4], [1, 1, 2, 2]), wave('in_g', [D]), wave('in_b', [D]), wave('up_w', [D, 4, 2, 2]),
    ],
    nodes: [
      node('Conv', ['input_features', 'conv1_w', 'conv1_b'], ['c1'], { name: 'conv1', attributes: [attr.ints('pads', [1, 1])] }),
      ...gelu('c1', 'g1'),
      node('Conv', ['g1_out', 'conv2_w', 'conv2_b'], ['c2'], { name: 'conv2', attributes: [attr.ints('pads', [1, 1]), attr.ints('strides', [2])] }),
      ...gelu('c2', 'g2'),
      node('Transpose', ['g2_out'], ['t'], { name: 'transpose', attributes: [attr.ints('perm', [0, 2, 1])] }),
      node('Add', ['t', 'pos'], ['h'], { name: 'add_pos' }),
      node('LayerNormalization', ['h', 'ln_g', 'ln_b'], ['hidden'], { name: 'ln', attributes: [attr.int('axis', -1)] }),
      // the same features as a 4x4 image: CNN and UNet ops
      node('Reshape', ['g2_out', 'img_shape'], ['img'], { name: 'to_image' }),
      node('Pad', ['img', 'pads'], ['padded'], { name: 'pad' }),
      node('MaxPool', ['padded'], ['pooled'], { name: 'maxpool', attributes: [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [1, 1])] }),
      node('InstanceNormalization', ['pooled', 'in_g', 'in_b'], ['normed'], { name: 'instnorm' }),
      node('Resize', ['normed', '', 'scales'], ['resized'], { name: 'resize', attributes: [attr.string('mode', 'nearest')] }),
      node('AveragePool', ['resized'], ['avg'], { name: 'avgpool', attributes: [attr.ints('kernel_shape', [2, 2]), attr.ints('strides', [2, 2]), attr.string('auto_pad', 'SAME_UPPER')] }),
      node('ConvTranspose', ['avg', 'up_w'], ['up'], { name: 'upconv', attributes: [attr.ints('strides', [2, 2])] }),
      node('GlobalAveragePool', ['up'], ['image'], { name: 'gap' }),
    ],
  });
}

/**
 * Whisper encoder layers after the Conv front end (input_features [batch, 8, frames]): positional embedding sliced to the frame count
 * (Shape -> Gather -> Unsqueeze -> Slice), then two pre-norm residual blocks and a final LayerNormalization,
 * which onnxruntime fuses with the last residual Add into SkipLayerNormalization only when value_info shows
 * both Add operands with the same symbolic dims (its SkipLayerNormFusion compares dim_param names).
 */
export function whisperLikeEncoderModel(): ModelProto {
  const MEL = 8;
  const D = 16;
  const w = (name: string, dims: number[]) => floatTensor(name, dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.61 + dims.length) * 0.2));
  const ln = (x: string, p: string) => node('LayerNormalization', [x, `${p}_g`, `${p}_b`], [`${p}_out`], { name: p, attributes: [attr.int('axis', -1), attr.float('epsilon', 1e-5)] });
  const lnW = (p: string) => [floatTensor(`${p}_g`, [D], new Array(D).fill(1)), floatTensor(`${p}_b`, [D], new Array(D).fill(0))];
  const nodes = [
    node('Conv', ['input_features', 'c1_w', 'c1_b'], ['c1'], { name: 'conv1', attributes: [attr.ints('pads', [1, 1])] }),
    node('Relu', ['c1'], ['r1'], { name: 'act1' }),
    node('Conv', ['r1', 'c2_w', 'c2_b'], ['c2'], { name: 'conv2', attributes: [attr.ints('pads', [1, 1]), attr.ints('strides', [2])] }),
    node('Relu', ['c2'], ['r2'], { name: 'act2' }),
    node('Transpose', ['r2'], ['t'], { name: 'transpose', attributes: [attr.ints('perm', [0, 2, 1])] }),
    node('Shape', ['t'], ['t_shape'], { name: 'shape' }),
    node('Gather', ['t_shape', 'one_i'], ['frames'], { name: 'gather', attributes: [attr.int('axis', 0)] }),
    node('Unsqueeze', ['frames', 'zero_axes'], ['frames1'], { name: 'unsqueeze' }),
    node('Slice', ['pos', 'zero_1', 'frames1', 'zero_1'], ['pos_s'], { name: 'slice_pos' }),
    node('Add', ['t', 'pos_s'], ['h0'], { name: 'add_pos' }),
  ];
  const inits = [w('c1_w', [D, MEL, 3]), w('c1_b', [D]), w('c2_w', [D, D, 3]), w('c2_b', [D]), w('pos', [64, D]),
    int64Tensor('one_i', [], [1]), int64Tensor('zero_axes', [1], [0]), int64Tensor('zero_1', [1], [0])];
  let h = 'h0';
  for (let l = 0; l < 2; l++) {
    nodes.push(ln(h, `ln${l}`), node('MatMul', [`ln${l}_out`, `fc${l}_w`], [`fc${l}`], { name: `fc${l}` }), node('Add', [`fc${l}`, `fc${l}_b`], [`fcb${l}`], { name: `fc${l}_bias` }),
      node('Add', [h, `fcb${l}`], [`h${l + 1}`], { name: `residual${l}` }));
    inits.push(...lnW(`ln${l}`), w(`fc${l}_w`, [D, D]), w(`fc${l}_b`, [D]));
    h = `h${l + 1}`;
  }
  nodes.push(ln(h, 'ln_post'));
  inits.push(...lnW('ln_post'));
  return buildModel({
    opset: 17,
    inputs: [valueInfo('input_features', DataType.FLOAT, ['batch', MEL, 'frames'])],
    outputs: [valueInfo('ln_post_out', DataType.FLOAT, ['batch', 'enc_frames', D])],
    initializers: inits,
    nodes,
  });
}
