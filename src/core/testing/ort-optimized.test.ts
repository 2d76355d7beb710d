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
  ])('%s: opens, plans every node fp16 for CUDA, converts every float weight to fp16', (_name, proto) => {
    const model = openModel(encodeModel(proto));
    const report = planModel(model, { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], targetEp: 'cuda' });
    expect(report.nodePrecision.every((p) => p === 'low')).toBe(true);
    const converted = decodeModel(convertModel(model, { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], targetEp: 'cuda' }).bytes);
    const floatTypes = (converted.graph?.initializer ?? []).map((t) => t.dataType).filter((t) => t === DataType.FLOAT || t === DataType.FLOAT16);
    expect(floatTypes.length).toBeGreaterThan(0);
    expect(floatTypes.every((t) => t === DataType.FLOAT16)).toBe(true);
  });

  it('unet for CUDA: every node fp16 but GroupNorm\'s gamma and beta, kept float32 as its CUDA kernel requires', () => {
    // onnxruntime's CUDA GroupNorm fails at run time on float16 gamma/beta (GPU matrix, UNet); its tool
    // keeps them fp32 through ALWAYS_FLOAT_INPUTS, and so must Castaway.
    const model = openModel(encodeModel(ortOptimizedUnetModel()));
    const recipe = { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], targetEp: 'cuda' as const };
    const report = planModel(model, recipe);
    const names = model.summary().nodes.map((n) => n.name);
    names.forEach((name, i) => expect([name, report.nodePrecision[i]]).toEqual([name, name === 'GroupNorm_0' ? 'mixed' : 'low']));
    expect(report.castCount).toBe(0);
    const converted = decodeModel(convertModel(model, recipe).bytes);
    const types = new Map((converted.graph?.initializer ?? []).map((t) => [t.name, t.dataType]));
    expect(types.get('gn_g')).toBe(DataType.FLOAT);
    expect(types.get('gn_b')).toBe(DataType.FLOAT);
    for (const [name, type] of types) if (name !== 'gn_g' && name !== 'gn_b') expect([name, type]).toEqual([name, DataType.FLOAT16]);
    const gn = converted.graph?.node?.find((n) => n.name === 'GroupNorm_0');
    expect(gn?.input).toEqual(['conv', 'gn_g', 'gn_b']);
  });

  it('unet for the CPU EP: the CUDA-only contrib ops stay fp32 (no float16 CPU kernel), with Casts around', () => {
    const report = planModel(openModel(encodeModel(ortOptimizedUnetModel())), { targetEp: 'cpu' });
    const summary = openModel(encodeModel(ortOptimizedUnetModel())).summary();
    const reasons = summary.nodes.filter((n) => n.domain === 'com.microsoft').map((n) => report.nodeReasons[n.index]);
    expect(reasons.every((r) => r === 'ep-kernel')).toBe(true);
  });
});
