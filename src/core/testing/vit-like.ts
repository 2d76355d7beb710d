// A ViT as torch's TorchScript exporter writes it (opset 14, dynamic batch only, no value_info), shrunk:
// patch Conv -> Reshape to a computed shape (torch's flatten(2): Shape/Gather/Unsqueeze/Concat) -> Transpose,
// the cls token Expand'ed to the batch through torch's expand(-1) pattern (ConstantOfShape, Equal, Where),
// Concat, position Add, one pre-norm attention block (decomposed LayerNorm, MatMul, Softmax, a head
// Reshape to a computed shape) and a final decomposed LayerNorm. The graph output's dims other than
// 'batch' are the computed names torch writes where its own inference lost them, so `--dims batch=N` binds
// only one of them; the rest is known only by following the shape arguments from the bound input.
import { DataType, type ModelProto, type NodeProto } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, int64Tensor, node, valueInfo } from './build-model';

const VIT_PATCH = 4;
const VIT_IMAGE = 8;
export const VIT_WIDTH = 8;
/** Patches plus the cls token. */
export const VIT_TOKENS = (VIT_IMAGE / VIT_PATCH) ** 2 + 1;

/** `outputDims`: the declared output shape (default: torch's computed names for dims 1 and 2). */
export function vitLikeModel(outputDims: (number | string)[] = ['batch', 'Addoutput_dim_1', 'Addoutput_dim_2']): ModelProto {
  const D = VIT_WIDTH;
  const w = (name: string, dims: number[]) => floatTensor(name, dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + dims.length) * 0.2));
  const layerNorm = (x: string, p: string): NodeProto[] => [
    node('ReduceMean', [x], [`${p}_mean`], { name: `${p}/ReduceMean`, attributes: [attr.ints('axes', [-1])] }),
    node('Sub', [x, `${p}_mean`], [`${p}_d`], { name: `${p}/Sub` }),
    node('Pow', [`${p}_d`, 'two'], [`${p}_sq`], { name: `${p}/Pow` }),
    node('ReduceMean', [`${p}_sq`], [`${p}_var`], { name: `${p}/ReduceMean_1`, attributes: [attr.ints('axes', [-1])] }),
    node('Add', [`${p}_var`, 'eps'], [`${p}_ve`], { name: `${p}/Add` }),
    node('Sqrt', [`${p}_ve`], [`${p}_std`], { name: `${p}/Sqrt` }),
    node('Div', [`${p}_d`, `${p}_std`], [`${p}_n`], { name: `${p}/Div` }),
    node('Mul', [`${p}_n`, `${p}_g`], [`${p}_s`], { name: `${p}/Mul` }),
    node('Add', [`${p}_s`, `${p}_b`], [`${p}_out`], { name: `${p}/Add_1` }),
  ];
  const lnWeights = (p: string) => [floatTensor(`${p}_g`, [D], new Array(D).fill(1)), floatTensor(`${p}_b`, [D], new Array(D).fill(0))];
  const final = layerNorm('h2', 'ln_f');
  final[final.length - 1] = { ...final[final.length - 1], output: ['output'] };
  return buildModel({
    opset: 14,
    inputs: [valueInfo('pixel_values', DataType.FLOAT, ['batch', 3, VIT_IMAGE, VIT_IMAGE])],
    outputs: [valueInfo('output', DataType.FLOAT, outputDims)],
    initializers: [
      w('patch_w', [D, 3, VIT_PATCH, VIT_PATCH]), w('patch_b', [D]), w('cls', [1, 1, D]), w('pos', [1, VIT_TOKENS, D]),
      w('wq', [D, D]), w('wk', [D, D]), w('wv', [D, D]), w('wo', [D, D]),
      floatTensor('two', [], [2]), floatTensor('eps', [], [1e-5]), ...lnWeights('ln_1'), ...lnWeights('ln_f'),
      int64Tensor('i0', [], [0]), int64Tensor('i1', [], [1]), int64Tensor('axes0', [1], [0]),
      int64Tensor('minus1', [1], [-1]), int64Tensor('width', [1], [D]), int64Tensor('three', [1], [3]),
    ],
    nodes: [
      node('Conv', ['pixel_values', 'patch_w', 'patch_b'], ['patches'], { name: 'patch/Conv', attributes: [attr.ints('strides', [VIT_PATCH, VIT_PATCH])] }),
      // torch's flatten(2): Reshape to [batch, channels, -1] computed from the Conv output's shape
      node('Shape', ['patches'], ['p_shape'], { name: 'flatten/Shape' }),
      node('Gather', ['p_shape', 'i0'], ['p_b'], { name: 'flatten/Gather', attributes: [attr.int('axis', 0)] }),
      node('Gather', ['p_shape', 'i1'], ['p_c'], { name: 'flatten/Gather_1', attributes: [attr.int('axis', 0)] }),
      node('Unsqueeze', ['p_b', 'axes0'], ['p_b1'], { name: 'flatten/Unsqueeze' }),
      node('Unsqueeze', ['p_c', 'axes0'], ['p_c1'], { name: 'flatten/Unsqueeze_1' }),
      node('Concat', ['p_b1', 'p_c1', 'minus1'], ['flat_shape'], { name: 'flatten/Concat', attributes: [attr.int('axis', 0)] }),
      node('Reshape', ['patches', 'flat_shape'], ['flat'], { name: 'flatten/Reshape' }),
      node('Transpose', ['flat'], ['tokens'], { name: 'Transpose', attributes: [attr.ints('perm', [0, 2, 1])] }),
      // cls_token.expand(batch, -1, -1): -1 becomes 1 through Equal/Where over a ConstantOfShape of ones
      node('Shape', ['pixel_values'], ['x_shape'], { name: 'cls/Shape' }),
      node('Gather', ['x_shape', 'i0'], ['x_b'], { name: 'cls/Gather', attributes: [attr.int('axis', 0)] }),
      node('Unsqueeze', ['x_b', 'axes0'], ['x_b1'], { name: 'cls/Unsqueeze' }),
      node('Concat', ['x_b1', 'minus1', 'minus1'], ['e_shape'], { name: 'cls/Concat', attributes: [attr.int('axis', 0)] }),
      node('ConstantOfShape', ['three'], ['ones'], { name: 'cls/ConstantOfShape', attributes: [attr.tensor('value', int64Tensor('one', [1], [1]))] }),
      node('Mul', ['ones', 'minus1'], ['neg_ones'], { name: 'cls/Mul' }),
      node('Equal', ['e_shape', 'neg_ones'], ['is_neg'], { name: 'cls/Equal' }),
      node('Where', ['is_neg', 'ones', 'e_shape'], ['e_target'], { name: 'cls/Where' }),
      node('Expand', ['cls', 'e_target'], ['cls_b'], { name: 'cls/Expand' }),
      node('Concat', ['cls_b', 'tokens'], ['emb'], { name: 'Concat', attributes: [attr.int('axis', 1)] }),
      node('Add', ['emb', 'pos'], ['h'], { name: 'pos/Add' }),
      ...layerNorm('h', 'ln_1'),
      node('MatMul', ['ln_1_out', 'wq'], ['q'], { name: 'attn/q' }),
      node('MatMul', ['ln_1_out', 'wk'], ['k'], { name: 'attn/k' }),
      node('MatMul', ['ln_1_out', 'wv'], ['v'], { name: 'attn/v' }),
      node('Transpose', ['k'], ['kt'], { name: 'attn/Transpose', attributes: [attr.ints('perm', [0, 2, 1])] }),
      node('MatMul', ['q', 'kt'], ['scores'], { name: 'attn/MatMul' }),
      node('Softmax', ['scores'], ['probs'], { name: 'attn/Softmax', attributes: [attr.int('axis', -1)] }),
      node('MatMul', ['probs', 'v'], ['ctx'], { name: 'attn/MatMul_1' }),
      // merging the heads: Reshape to [batch, tokens, width] computed from q's shape
      node('Shape', ['q'], ['q_shape'], { name: 'attn/Shape' }),
      node('Gather', ['q_shape', 'i0'], ['q_b'], { name: 'attn/Gather', attributes: [attr.int('axis', 0)] }),
      node('Gather', ['q_shape', 'i1'], ['q_t'], { name: 'attn/Gather_1', attributes: [attr.int('axis', 0)] }),
      node('Unsqueeze', ['q_b', 'axes0'], ['q_b1'], { name: 'attn/Unsqueeze' }),
      node('Unsqueeze', ['q_t', 'axes0'], ['q_t1'], { name: 'attn/Unsqueeze_1' }),
      node('Concat', ['q_b1', 'q_t1', 'width'], ['m_shape'], { name: 'attn/Concat', attributes: [attr.int('axis', 0)] }),
      node('Reshape', ['ctx', 'm_shape'], ['merged'], { name: 'attn/Reshape' }),
      node('MatMul', ['merged', 'wo'], ['o'], { name: 'attn/o' }),
      node('Add', ['h', 'o'], ['h2'], { name: 'Add' }),
      ...final,
    ],
  });
}

/** The issue #15490 block list for this model: every op type but Identity, Constant, Gather and Shape. */
export function vitLikeBlockList(model: ModelProto): string[] {
  return [...new Set((model.graph?.node ?? []).map((n) => n.opType ?? ''))].filter((op) => !['Identity', 'Constant', 'Gather', 'Shape'].includes(op)).sort();
}
