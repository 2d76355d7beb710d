import { describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel } from '../engine';
import { PRESETS } from '../recipe';
import { DataType } from '../onnx/proto-types';
import { encodeModel } from '../serde';
import { attr, buildModel, floatTensor, node, valueInfo } from '../testing/build-model';
import { residualNormModel } from '../testing/residual-norm';
import { computesInFp32, ortFusesIntoSkipLayerNorm, SKIP_LAYER_NORM_STRICT_OPTION } from './fp32-compute';

const normsFp32 = PRESETS.find((p) => p.id === 'norms-softmax-fp32')!.recipe;

/** MatMul -> LayerNormalization -> MatMul -> Softmax -> MatMul, opset 17. */
function model(stashType?: number) {
  const H = 8;
  const w = (name: string) => floatTensor(name, [H, H], Array.from({ length: H * H }, (_, i) => Math.sin(i)));
  const lnAttrs = [attr.int('axis', -1), ...(stashType === undefined ? [] : [attr.int('stash_type', stashType)])];
  return openModel(encodeModel(buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', H])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', H])],
    initializers: [w('w1'), w('w2'), w('w3'), floatTensor('g', [H], new Array(H).fill(1)), floatTensor('b', [H], new Array(H).fill(0))],
    nodes: [
      node('MatMul', ['x', 'w1'], ['h1'], { name: 'mm1' }),
      node('LayerNormalization', ['h1', 'g', 'b'], ['ln'], { name: 'ln', attributes: lnAttrs }),
      node('MatMul', ['ln', 'w2'], ['h2'], { name: 'mm2' }),
      node('Softmax', ['h2'], ['p'], { name: 'softmax', attributes: [attr.int('axis', -1)] }),
      node('MatMul', ['p', 'w3'], ['y'], { name: 'mm3' }),
    ],
  })));
}

describe('computesInFp32', () => {
  it('lists the CUDA kernels that reduce in fp32, nothing for other or unknown EPs', () => {
    expect(computesInFp32('cuda', '', node('LayerNormalization', ['x', 's'], ['y']))).toBe(true);
    expect(computesInFp32('cuda', '', node('SimplifiedLayerNormalization', ['x', 's'], ['y']))).toBe(true);
    expect(computesInFp32('cuda', '', node('Softmax', ['x'], ['y']))).toBe(true);
    expect(computesInFp32('cuda', '', node('LayerNormalization', ['x', 's'], ['y'], { attributes: [attr.int('stash_type', 0)] }))).toBe(false);
    expect(computesInFp32('cuda', 'com.microsoft', node('SkipLayerNormalization', ['x', 's', 'g'], ['y']))).toBe(false);
    expect(computesInFp32('cuda', '', node('ReduceMean', ['x'], ['y']))).toBe(false);
    expect(computesInFp32('any', '', node('Softmax', ['x'], ['y']))).toBe(false);
    expect(computesInFp32('cpu', '', node('Softmax', ['x'], ['y']))).toBe(false);
  });
});

describe('norms and Softmax blocked, target CUDA', () => {
  it('keeps LayerNormalization and Softmax at fp16 I/O with no Cast, and says so', () => {
    const m = model();
    const report = planModel(m, { ...normsFp32, targetEp: 'cuda' });
    expect(report.castCount).toBe(0);
    expect(report.nodePrecision).toEqual(['low', 'low', 'low', 'low', 'low']);
    expect(report.fp32ComputeNodes).toEqual([1, 3]);
  });

  it('without a known EP (target any) the block keeps them fp32, with Casts around', () => {
    const report = planModel(model(), normsFp32);
    expect(report.nodePrecision).toEqual(['low', 'fp32', 'low', 'fp32', 'low']);
    expect(report.castCount).toBe(4);
    expect(report.fp32ComputeNodes).toEqual([]);
  });

  it('a LayerNormalization with stash_type 0 stays fp32', () => {
    const report = planModel(model(0), { ...normsFp32, targetEp: 'cuda' });
    expect(report.nodePrecision[1]).toBe('fp32');
    expect(report.fp32ComputeNodes).toEqual([3]);
  });

  it('converts to a graph with no Cast at all', () => {
    const converted = convertModel(model(), { ...normsFp32, targetEp: 'cuda' });
    expect(converted.report.castCount).toBe(0);
  });
});

describe('a blocked fp32-compute node among fp32 neighbours (issue #15490 block list on the optimizer output)', () => {
  /** MatMul -> Softmax -> MatMul, all three blocked: fp16 I/O for the Softmax would cost two Casts. */
  function chain() {
    const H = 4;
    const w = (name: string) => floatTensor(name, [H, H], Array.from({ length: H * H }, (_, i) => Math.cos(i)));
    return openModel(encodeModel(buildModel({
      inputs: [valueInfo('x', DataType.FLOAT, ['batch', H])],
      outputs: [valueInfo('y', DataType.FLOAT, ['batch', H])],
      initializers: [w('w1'), w('w2')],
      nodes: [
        node('MatMul', ['x', 'w1'], ['h'], { name: 'mm1' }),
        node('Softmax', ['h'], ['p'], { name: 'softmax', attributes: [attr.int('axis', -1)] }),
        node('MatMul', ['p', 'w2'], ['y'], { name: 'mm2' }),
      ],
    })));
  }
  const recipe = { ...normsFp32, opBlockList: ['MatMul', 'Softmax'], patterns: [], keepIoTypes: true, targetEp: 'cuda' as const };

  it('stays fp32 with no Cast, and is not reported as fp32 compute', () => {
    const report = planModel(chain(), recipe);
    expect(report.nodePrecision).toEqual(['fp32', 'fp32', 'fp32']);
    expect(report.castCount).toBe(0);
    expect(report.fp32ComputeNodes).toEqual([]);
    expect(report.nodeReasons[1]).toBe('op-block-list');
  });

  it('goes to fp16 I/O when that saves Casts, and is reported then', () => {
    // only the Softmax blocked: both MatMuls run fp16, so fp16 I/O saves the two Casts around it (the two
    // left are the graph input's and output's, kept fp32)
    const report = planModel(chain(), { ...recipe, opBlockList: ['Softmax'] });
    expect(report.castCount).toBe(2);
    expect(report.nodePrecision).toEqual(['low', 'low', 'low']);
    expect(report.fp32ComputeNodes).toEqual([1]);
  });
});

const residualNorm = (options: Parameters<typeof residualNormModel>[0] = {}) => openModel(encodeModel(residualNormModel(options)));

describe('skipLayerNormStrictMode: sessions with enable_skip_layer_norm_strict_mode (CUDA)', () => {
  const cuda = { ...normsFp32, targetEp: 'cuda' as const };

  it('without it a blocked SkipLayerNormalization stays fp32 with its Casts (its fp16 kernel sums in fp16)', () => {
    const report = planModel(residualNorm({ skip: true }), cuda);
    expect(report.nodePrecision).toEqual(['low', 'fp32', 'low']);
    expect(report.castCount).toBe(3);
    expect(report.fp32ComputeNodes).toEqual([]);
    expect(report.requiredSessionOptions).toEqual([]);
  });

  it('with it the SkipLayerNormalization runs at fp16 I/O, no Cast, and the report names the session option', () => {
    const report = planModel(residualNorm({ skip: true }), { ...cuda, skipLayerNormStrictMode: true });
    expect(report.nodePrecision).toEqual(['low', 'low', 'low']);
    expect(report.castCount).toBe(0);
    expect(report.fp32ComputeNodes).toEqual([1]);
    expect(report.requiredSessionOptions).toEqual([SKIP_LAYER_NORM_STRICT_OPTION]);
  });

  it('is ignored for other EPs', () => {
    const report = planModel(residualNorm({ skip: true }), { ...normsFp32, targetEp: 'any', skipLayerNormStrictMode: true });
    expect(report.fp32ComputeNodes).toEqual([]);
    expect(report.requiredSessionOptions).toEqual([]);
  });
});

describe('a LayerNormalization that onnxruntime fuses into SkipLayerNormalization', () => {
  const cuda = { ...normsFp32, targetEp: 'cuda' as const };

  it('is recognised: Add read only by the norm; not when the Add is read twice', () => {
    const fused = residualNorm().problem.model.main;
    expect(ortFusesIntoSkipLayerNorm(fused, fused.nodes.findIndex((n) => n.name === 'ln'))).toBe(true);
    const twice = residualNorm({ residualReadTwice: true }).problem.model.main;
    expect(ortFusesIntoSkipLayerNorm(twice, twice.nodes.findIndex((n) => n.name === 'ln'))).toBe(false);
    expect(ortFusesIntoSkipLayerNorm(fused, fused.nodes.findIndex((n) => n.name === 'add'))).toBe(false);
  });

  it('is not claimed as fp32 compute without strict mode: fp16 I/O would become an fp16-statistics SkipLayerNormalization', () => {
    const report = planModel(residualNorm(), cuda);
    expect(report.fp32ComputeNodes).toEqual([]);
    expect(report.nodePrecision[2]).toBe('fp32');
  });

  it('is fp32 compute in strict mode, and the report names the option', () => {
    const report = planModel(residualNorm(), { ...cuda, skipLayerNormStrictMode: true });
    expect(report.fp32ComputeNodes).toEqual([2]);
    expect(report.castCount).toBe(0);
    expect(report.requiredSessionOptions).toEqual([SKIP_LAYER_NORM_STRICT_OPTION]);
  });

  it('a norm whose Add is read twice (no fusion) stays fp32 compute without strict mode, needing no option', () => {
    const report = planModel(residualNorm({ residualReadTwice: true }), cuda);
    expect(report.fp32ComputeNodes).toEqual([2]);
    expect(report.requiredSessionOptions).toEqual([]);
  });
});
