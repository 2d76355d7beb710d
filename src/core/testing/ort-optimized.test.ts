// The optimizer-style models open, plan and convert in the engine alone (onnxruntime runs of the ones its
// CPU EP can load are in src/node/ort-optimized.test.ts).
import { describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel } from '../engine';
import { DataType } from '../onnx/proto-types';
import { ORT_DEFAULT_OP_BLOCK_LIST } from '../plan/op-classes';
import { decodeModel, encodeModel } from '../serde';
import { ortOptimizedBertModel, ortOptimizedLlamaModel, ortOptimizedUnetModel } from './ort-optimized';

describe('onnxruntime transformer-optimizer output', () => {
  it.each([
    ['bert', ortOptimizedBertModel()],
    ['llama', ortOptimizedLlamaModel()],
    ['unet', ortOptimizedUnetModel()],
  ])('%s: opens, plans every node fp16 for CUDA, converts every float weight to fp16', (_name, proto) => {
    const model = openModel(encodeModel(proto));
    const report = planModel(model, { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], targetEp: 'cuda' });
    expect(report.nodePrecision.every((p) => p === 'fp16')).toBe(true);
    const converted = decodeModel(convertModel(model, { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], targetEp: 'cuda' }).bytes);
    const floatTypes = (converted.graph?.initializer ?? []).map((t) => t.dataType).filter((t) => t === DataType.FLOAT || t === DataType.FLOAT16);
    expect(floatTypes.length).toBeGreaterThan(0);
    expect(floatTypes.every((t) => t === DataType.FLOAT16)).toBe(true);
  });

  it('unet for the CPU EP: the CUDA-only contrib ops stay fp32 (no float16 CPU kernel), with Casts around', () => {
    const report = planModel(openModel(encodeModel(ortOptimizedUnetModel())), { targetEp: 'cpu' });
    const summary = openModel(encodeModel(ortOptimizedUnetModel())).summary();
    const reasons = summary.nodes.filter((n) => n.domain === 'com.microsoft').map((n) => report.nodeReasons[n.index]);
    expect(reasons.every((r) => r === 'ep-kernel')).toBe(true);
  });
});
