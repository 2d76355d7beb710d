// The newcomer's preview: default sizes read from the model, onnxruntime's errors in words, a verdict.
import { describe, expect, it } from 'vitest';
import { DataType } from '../onnx/proto-types';
import { boundShape, defaultDims, symbolicDimNames } from './default-dims';
import { seededInput } from '../tensor/seeded-inputs';
import { explainRuntimeError } from './explain-error';
import { previewVerdict } from './verdict';
import type { OutputComparison } from './metrics';

describe('defaultDims', () => {
  it('gives an image model batch 1 and a real image size', () => {
    const inputs = [{ name: 'x', elemType: DataType.FLOAT, shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }];
    const dims = defaultDims(inputs);
    expect(dims).toEqual({ 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 224, 'p2o.DynamicDimension.2': 224 });
    expect(boundShape(inputs[0].shape, dims)).toEqual([1, 3, 224, 224]);
  });
  it('reads NHWC images too, and gives token sequences a short length', () => {
    expect(defaultDims([{ name: 'img', elemType: DataType.FLOAT, shape: ['n', 'h', 'w', 3] }])).toEqual({ n: 1, h: 224, w: 224 });
    expect(defaultDims([{ name: 'input_ids', elemType: DataType.INT64, shape: ['batch', 'sequence'] }])).toEqual({ batch: 1, sequence: 16 });
    // A dim named like a batch is 1 wherever it sits; an unnamed dim runs as 1.
    expect(defaultDims([{ name: 'h', elemType: DataType.FLOAT, shape: [2, 'batch_size', 64] }])).toEqual({ batch_size: 1 });
    expect(boundShape(['?', 8], {})).toEqual([1, 8]);
  });
  it("names dims that have neither size nor name, and gives an audio signal beside a sample rate a 512-sample chunk", () => {
    // silero VAD v5's inputs: a 1x1 input failed its Pad.
    const inputs = [
      { name: 'input', elemType: DataType.FLOAT, shape: ['?', '?'] },
      { name: 'state', elemType: DataType.FLOAT, shape: [2, '?', 128] },
      { name: 'sr', elemType: DataType.INT64, shape: [] },
    ];
    expect(symbolicDimNames(inputs)).toEqual(['input[0]', 'input[1]', 'state[1]']);
    const dims = defaultDims(inputs);
    expect(dims).toEqual({ 'input[0]': 1, 'input[1]': 512, 'state[1]': 1 });
    expect(boundShape(inputs[0].shape, dims, 'input')).toEqual([1, 512]);
    expect(boundShape(inputs[1].shape, { ...dims, 'state[1]': 3 }, 'state')).toEqual([2, 3, 128]);
    // Without a sample rate or an audio name, an unnamed dim stays 1.
    expect(defaultDims([{ name: 'features', elemType: DataType.FLOAT, shape: ['?', '?'] }])).toEqual({ 'features[0]': 1, 'features[1]': 1 });
    expect(defaultDims([{ name: 'audio', elemType: DataType.FLOAT, shape: ['batch', 'samples'] }])).toEqual({ batch: 1, samples: 512 });
  });
  it('seeds a sample-rate input with 16 kHz', () => {
    expect(seededInput({ name: 'sr', type: 'int64', dims: [] }, 0).data).toEqual(new BigInt64Array([16000n]));
  });
});

describe('explainRuntimeError', () => {
  it('turns a broadcast failure with build paths into words, naming the node', () => {
    const raw =
      "Non-zero status code returned while running Add node. Name:'pos_add' Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:560 void onnxruntime::BroadcastIterator::Append(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 224 by 100";
    const explained = explainRuntimeError(raw);
    expect(explained.summary).toBe('The input sizes do not fit the model at Add node pos_add: sizes 224 and 100 meet where they must match.');
    expect(explained.node).toBe('pos_add');
    expect(explained.summary).not.toContain('/onnxruntime_src');
  });
  it('reads onnxruntime-web, which names no node', () => {
    const raw =
      'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/cpu/math/element_wise_ops.h:583 void onnxruntime::BroadcastIterator::Append(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 100 by 224';
    expect(explainRuntimeError(raw).summary).toBe('The input sizes do not fit the model: sizes 100 and 224 meet where they must match.');
  });
  it('says which size an input needs', () => {
    const raw = 'Got invalid dimensions for input: x for the following indices\n index: 2 Got: 16 Expected: 320\n Please fix either the inputs/outputs or the model.';
    expect(explainRuntimeError(raw).summary).toBe('The input x must have size 320 on axis 2; it was given 16.');
  });
});

describe('previewVerdict', () => {
  const output = (cosine: number, nonFinite = 0): OutputComparison => ({ name: 'y', elements: 10, maxAbs: 1, meanAbs: 1, maxRel: 1, cosine, nonFinite, scale: 1 });
  it('calls a cosine well below 0.9 ruined and points at the top-ranked nodes', () => {
    expect(previewVerdict([output(0.04)], [7, 3, 9, 1])).toMatchObject({ level: 'ruined', cosine: 0.04, culprits: [7, 3, 9] });
    expect(previewVerdict([output(0.99999)], [7])).toMatchObject({ level: 'fine', culprits: [] });
    expect(previewVerdict([output(0.995)], [7])).toMatchObject({ level: 'noticeable', culprits: [7] });
    expect(previewVerdict([output(1, 4)], [2])).toMatchObject({ level: 'ruined', nonFinite: 4 });
  });
});
