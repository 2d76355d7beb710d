// A post-LN residual block (MatMul -> Add(residual) -> LayerNormalization -> MatMul), the pattern
// onnxruntime's SkipLayerNormFusion rewrites, for the fp32-compute tests (plan/fp32-compute.test.ts,
// node/ort-skip-layer-norm-fusion.test.ts).
import type { ModelProto } from '../onnx/proto-types';
import { DataType } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, node, valueInfo } from './build-model';

/**
 * x -> MatMul -> Add(residual x) -> LayerNormalization -> MatMul -> y, opset 17 (the post-LN residual of
 * BERT), or with `skip` the same as onnxruntime's optimizer writes it: one com.microsoft
 * SkipLayerNormalization. `residualReadTwice` also sends the Add to the output (pre-LN models: the residual
 * stream feeds the next block too), which onnxruntime's SkipLayerNormFusion does not fuse.
 */
export function residualNormModel(options: { skip?: boolean; residualReadTwice?: boolean } = {}): ModelProto {
  const H = 8;
  const w = (name: string) => floatTensor(name, [H, H], Array.from({ length: H * H }, (_, i) => Math.sin(i + name.length)));
  const norm = options.skip
    ? [node('SkipLayerNormalization', ['h1', 'x', 'g', 'b'], ['ln'], { name: 'sln', domain: 'com.microsoft', attributes: [attr.float('epsilon', 1e-5)] })]
    : [
        node('Add', ['h1', 'x'], ['sum'], { name: 'add' }),
        node('LayerNormalization', ['sum', 'g', 'b'], ['ln'], { name: 'ln', attributes: [attr.int('axis', -1)] }),
      ];
  const outputs = [valueInfo('y', DataType.FLOAT, ['batch', 'seq', H])];
  if (options.residualReadTwice) outputs.push(valueInfo('sum', DataType.FLOAT, ['batch', 'seq', H]));
  return buildModel({
    opset: options.skip ? { '': 17, 'com.microsoft': 1 } : 17,
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 'seq', H])],
    outputs,
    initializers: [w('w1'), w('w2'), floatTensor('g', [H], new Array(H).fill(1)), floatTensor('b', [H], new Array(H).fill(0))],
    nodes: [
      node('MatMul', ['x', 'w1'], ['h1'], { name: 'mm1' }),
      ...norm,
      node('MatMul', ['ln', 'w2'], ['y'], { name: 'mm2' }),
    ],
  });
}

