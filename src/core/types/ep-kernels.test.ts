import { describe, expect, it } from 'vitest';
import { hasFloat16Kernel, hasKernel, kernelFor } from './ep-kernels';

describe('hasFloat16Kernel', () => {
  it('CUDA: Clip has a float16 kernel from opset 12, CumSum from 14', () => {
    expect(hasFloat16Kernel('cuda', '', 'Clip', 11)).toBe(false);
    expect(hasFloat16Kernel('cuda', '', 'Clip', 12)).toBe(true);
    expect(hasFloat16Kernel('cuda', '', 'Clip', 21)).toBe(true);
    expect(hasFloat16Kernel('cuda', '', 'CumSum', 13)).toBe(false);
    expect(hasFloat16Kernel('cuda', 'ai.onnx', 'CumSum', 14)).toBe(true);
  });

  it('CUDA: GridSample is float32 only at every opset, though it has kernels', () => {
    for (const opset of [16, 19, 20, 22, 25]) {
      expect(hasKernel('cuda', '', 'GridSample', opset)).toBe(true);
      expect(hasFloat16Kernel('cuda', '', 'GridSample', opset)).toBe(false);
    }
  });

  it('CUDA: the usual transformer ops run in float16', () => {
    for (const op of ['MatMul', 'Gemm', 'Softmax', 'Add', 'Mul', 'Erf', 'Tanh', 'Pow', 'ReduceMean', 'Where', 'Gather', 'Transpose']) {
      expect(hasFloat16Kernel('cuda', '', op, 14)).toBe(true);
    }
    expect(hasFloat16Kernel('cuda', 'com.microsoft', 'Attention', 1)).toBe(true);
    expect(hasFloat16Kernel('cuda', 'com.microsoft', 'SkipLayerNormalization', 1)).toBe(true);
  });

  it('CUDA: the ai.onnx norms onnxruntime registers below opset 17 (transformer-optimizer output) run in float16', () => {
    expect(hasFloat16Kernel('cuda', '', 'LayerNormalization', 14)).toBe(true);
    expect(hasFloat16Kernel('cuda', '', 'SimplifiedLayerNormalization', 14)).toBe(true);
    expect(hasFloat16Kernel('cpu', '', 'LayerNormalization', 14)).toBe(true);
  });

  it('CPU: almost no float16 compute kernels, but data movement has them', () => {
    expect(hasFloat16Kernel('cpu', '', 'MatMul', 14)).toBe(false);
    expect(hasFloat16Kernel('cpu', '', 'Add', 14)).toBe(false);
    expect(hasFloat16Kernel('cpu', '', 'Softmax', 13)).toBe(false);
    expect(hasFloat16Kernel('cpu', '', 'Reshape', 14)).toBe(true);
    expect(hasFloat16Kernel('cpu', '', 'LayerNormalization', 17)).toBe(true);
    expect(hasKernel('cpu', '', 'MatMul', 14)).toBe(true);
  });

  it('DirectML: "N+" rows last until the next registration', () => {
    expect(kernelFor('dml', '', 'Abs', 6)).toMatchObject({ start: 6, end: 12 });
    expect(kernelFor('dml', '', 'Abs', 20)).toMatchObject({ start: 13, end: undefined });
    expect(hasFloat16Kernel('dml', '', 'MatMul', 13)).toBe(true);
    expect(hasFloat16Kernel('dml', '', 'Range', 11)).toBe(false);
  });

  it('WebGPU: listed ops count as float16-capable, with unknown types', () => {
    expect(hasFloat16Kernel('webgpu', '', 'MatMul', 13)).toBe(true);
    expect(kernelFor('webgpu', '', 'MatMul', 13)).toMatchObject({ typesKnown: false });
    expect(hasFloat16Kernel('webgpu', '', 'CumSum', 14)).toBe(false);
    expect(hasFloat16Kernel('webgpu', '', 'Add', 6)).toBe(false);
  });

  it('is always true for "any", false for ops and opsets nobody registers', () => {
    expect(hasFloat16Kernel('any', 'my.ops', 'Whatever', 1)).toBe(true);
    expect(hasFloat16Kernel('cuda', 'my.ops', 'Whatever', 1)).toBe(false);
    expect(hasFloat16Kernel('cuda', '', 'Clip', 5)).toBe(false);
  });

  it('names the type parameters that admit float16', () => {
    expect(kernelFor('cuda', '', 'LayerNormalization', 17)?.float16Params).toEqual(['T']);
    expect(kernelFor('cpu', '', 'Cast', 19)?.float16Params).toEqual(['T1', 'T2']);
  });
});
