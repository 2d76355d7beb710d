// Hand-built models whose result comes through a control-flow node, shaped like the ones the issue names:
// a classifier whose output comes out of an If (a wake-word model's "which head" switch), a Loop that
// refines a carried value with a weight read from the outer scope, and a Scan accumulating over time.
import { DataType, type ModelProto } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, ifNode, int64Tensor, loopNode, node, valueInfo } from './build-model';

const F = DataType.FLOAT;

const weights = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7 + i * 1.3) * 0.5);

/** x[1,8] -> MatMul(w) -> h; If(c): then Sigmoid(MatMul(h, w1)), else Softmax(MatMul(h, w2)) -> y. */
export function ifClassifier(): ModelProto {
  return buildModel({
    opset: 17,
    inputs: [valueInfo('x', F, [1, 8]), valueInfo('c', DataType.BOOL, [])],
    outputs: [valueInfo('y', F, [1, 4])],
    initializers: [floatTensor('w', [8, 8], weights(64, 1)), floatTensor('w1', [8, 4], weights(32, 2)), floatTensor('w2', [8, 4], weights(32, 3))],
    nodes: [
      node('MatMul', ['x', 'w'], ['h'], { name: 'embed' }),
      ifNode('c', ['y'], {
        outputs: [valueInfo('p', F, [1, 4])],
        nodes: [node('MatMul', ['h', 'w1'], ['l1'], { name: 'head1' }), node('Sigmoid', ['l1'], ['p'], { name: 'sigmoid' })],
      }, {
        outputs: [valueInfo('q', F, [1, 4])],
        nodes: [node('MatMul', ['h', 'w2'], ['l2'], { name: 'head2' }), node('Softmax', ['l2'], ['q'], { name: 'softmax', attributes: [attr.int('axis', -1)] })],
      }, { name: 'switch' }),
    ],
  });
}

/** Three rounds of s <- Tanh(MatMul(s, w)) + x, with w and x read from the outer scope. */
export function loopRefiner(): ModelProto {
  return buildModel({
    opset: 17,
    inputs: [valueInfo('x', F, [1, 4])],
    outputs: [valueInfo('y', F, [1, 4])],
    initializers: [floatTensor('w', [4, 4], weights(16, 4)), int64Tensor('trips', [], [3])],
    nodes: [
      node('Relu', ['x'], ['s0'], { name: 'start' }),
      loopNode(['trips', '', 's0'], ['s_final'], {
        inputs: [valueInfo('i', DataType.INT64, []), valueInfo('cond', DataType.BOOL, []), valueInfo('s', F, [1, 4])],
        outputs: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('s_next', F, [1, 4])],
        nodes: [
          node('Identity', ['cond'], ['cond_out'], { name: 'keep_going' }),
          node('MatMul', ['s', 'w'], ['m'], { name: 'step' }),
          node('Tanh', ['m'], ['t'], { name: 'squash' }),
          node('Add', ['t', 'x'], ['s_next'], { name: 'residual' }),
        ],
      }, { name: 'refine' }),
      node('Mul', ['s_final', 's_final'], ['y'], { name: 'square' }),
    ],
  });
}

/** Scan over 5 steps of seq[5,4]: state <- state * 0.5 + Exp(slice); outputs the final state and every state. */
export function scanAccumulator(): ModelProto {
  return buildModel({
    opset: 17,
    inputs: [valueInfo('seq', F, [5, 4]), valueInfo('init', F, [4])],
    outputs: [valueInfo('final', F, [4]), valueInfo('all', F, [5, 4])],
    initializers: [floatTensor('half', [], [0.5])],
    nodes: [
      node('Scan', ['init', 'seq'], ['final', 'all'], {
        name: 'accumulate',
        attributes: [
          attr.int('num_scan_inputs', 1),
          attr.graph('body', {
            name: 'scan_body',
            input: [valueInfo('state', F, [4]), valueInfo('slice', F, [4])],
            output: [valueInfo('state_next', F, [4]), valueInfo('out', F, [4])],
            node: [
              node('Mul', ['state', 'half'], ['decayed'], { name: 'decay' }),
              node('Exp', ['slice'], ['e'], { name: 'exp' }),
              node('Add', ['decayed', 'e'], ['state_next'], { name: 'accumulate_add' }),
              node('Identity', ['state_next'], ['out'], { name: 'emit' }),
            ],
          }),
        ],
      }),
    ],
  });
}
