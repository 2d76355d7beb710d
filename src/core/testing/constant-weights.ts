// A two-layer model whose weights all live in Constant nodes, as paddle2onnx writes them: the unit tests
// build it in code and scripts/make-app-fixtures.ts writes it to fixtures/app for the e2e
// test. linear_0's weight holds two values beyond fp16's range; linear_1's holds three below fp16's
// smallest subnormal (raised to 2^-24 when stored as fp16, not flushed to zero).
import { DataType, type ModelProto } from '../onnx/proto-types';
import { attr, buildModel, constant, floatTensor, node, valueInfo } from './build-model';

const F = DataType.FLOAT;

/** Deterministic small weights, with a few values placed where fp16 cannot hold them. */
function weights(count: number, special: Record<number, number>): number[] {
  return Array.from({ length: count }, (_, i) => special[i] ?? ((i * 37) % 17) / 17 - 0.5);
}

export const CONSTANT_WEIGHTS_FACTS = {
  /** 8x8 + 8 + 8x4 float32 values. */
  weightBytes: (64 + 8 + 32) * 4,
  clampedInLinear0: 2,
  raisedInLinear1: 3,
} as const;

export function constantWeightsModel(): ModelProto {
  return buildModel({
    opset: 13,
    inputs: [valueInfo('x', F, ['batch', 8])],
    outputs: [valueInfo('y', F, ['batch', 4])],
    nodes: [
      constant('linear_0.w_0', floatTensor('linear_0.w_0', [8, 8], weights(64, { 3: 1.5e5, 42: -2e5 }))),
      node('Constant', [], ['linear_0.b_0'], { name: 'linear_0.b_0', attributes: [attr.floats('value_floats', weights(8, {}))] }),
      constant('linear_1.w_0', floatTensor('linear_1.w_0', [8, 4], weights(32, { 1: 1e-9, 7: -3e-9, 20: 2e-10 }))),
      node('MatMul', ['x', 'linear_0.w_0'], ['linear_0.tmp_0'], { name: 'linear_0' }),
      node('Add', ['linear_0.tmp_0', 'linear_0.b_0'], ['linear_0.tmp_1'], { name: 'linear_0.add' }),
      node('Relu', ['linear_0.tmp_1'], ['relu_0.tmp_0'], { name: 'relu_0' }),
      node('MatMul', ['relu_0.tmp_0', 'linear_1.w_0'], ['y'], { name: 'linear_1' }),
    ],
  });
}
