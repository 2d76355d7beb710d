// A one-node model whose Resize carries the attributes of a paddle2onnx detector's upsampling
// ("coordinate_transformation_mode": "asymmetric", ...): the longest attribute name the app's details panel
// has to show beside its value. scripts/make-app-fixtures.ts writes it to fixtures/app for the e2e test.
import { DataType, type ModelProto } from '../onnx/proto-types';
import { attr, buildModel, floatTensor, node, valueInfo } from './build-model';

export function upsampleAttributesModel(): ModelProto {
  return buildModel({
    opset: 13,
    inputs: [valueInfo('x', DataType.FLOAT, [1, 3, 8, 8])],
    outputs: [valueInfo('y', DataType.FLOAT, [1, 3, 16, 16])],
    initializers: [floatTensor('roi', [0], []), floatTensor('scales', [4], [1, 1, 2, 2])],
    nodes: [
      node('Resize', ['x', 'roi', 'scales'], ['y'], {
        name: 'upsample',
        attributes: [attr.string('coordinate_transformation_mode', 'asymmetric'), attr.string('mode', 'nearest'), attr.string('nearest_mode', 'floor')],
      }),
    ],
  });
}
