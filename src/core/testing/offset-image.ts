// A small image model that fp16 ruins, the way a detector with a large additive offset is ruined: a Conv,
// then + 60000 (a per-row "position" bias of shape [1, 1, 224, 1], so the model only runs at height 224),
// then - 60000. In fp32 the offset cancels; in fp16 the spacing near 60000 is 32, so the Conv's values
// (a few units) are rounded away and the output's cosine against fp32 falls far below 0.9. Built in code
// for unit tests; scripts/make-app-fixtures.ts writes it to fixtures/app for the e2e test.
import { DataType, type ModelProto } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, node, valueInfo } from './build-model';

const F = DataType.FLOAT;
const OFFSET = 60000;
const IMAGE_HEIGHT = 224;
/** Paddle2onnx-style dim names: nothing in them says "batch" or "height". */
const OFFSET_IMAGE_DIMS = ['p2o.DynamicDimension.0', 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] as const;

export function offsetImageModel(): ModelProto {
  const [n, h, w] = OFFSET_IMAGE_DIMS;
  const weights = Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => 4 * ((((i * 53) % 29) / 29) * 2 - 1));
  return buildModel({
    opset: 13,
    inputs: [valueInfo('image', F, [n, 3, h, w])],
    outputs: [valueInfo('score', F, [n, 4, h, w])],
    initializers: [
      floatTensor('conv.w', [4, 3, 3, 3], weights),
      floatTensor('pos.bias', [1, 1, IMAGE_HEIGHT, 1], new Array(IMAGE_HEIGHT).fill(OFFSET)),
      floatTensor('pos.offset', [], [OFFSET]),
    ],
    nodes: [
      node('Conv', ['image', 'conv.w'], ['conv.out'], { name: 'backbone.conv', attributes: [attr.ints('pads', [1, 1, 1, 1]), attr.ints('kernel_shape', [3, 3])] }),
      node('Add', ['conv.out', 'pos.bias'], ['pos.out'], { name: 'pos_add' }),
      node('Sub', ['pos.out', 'pos.offset'], ['score'], { name: 'pos_sub' }),
    ],
  });
}
