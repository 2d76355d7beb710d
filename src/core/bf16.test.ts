// bf16 as the model's low type, end to end on small hand-built graphs: the same plan and rewrite as fp16
// with BFLOAT16 (elem type 16) written everywhere fp16 would be, stored values rounded and never clamped,
// ops without a bfloat16 kernel on the target EP or in their type constraint kept fp32, the recipe field
// round-tripped through JSON and the CLI command.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, precisionName } from './api';
import { convertModel, openModel, planModel, simulateModel } from './engine';
import { buildIr } from './ir';
import { DataType, type GraphProto, type ModelProto, type NodeProto } from './onnx/proto-types';
import { decodeModel, encodeModel } from './serde';
import { attr, buildModel, floatTensor, node, valueInfo } from './testing/build-model';
import { tensorBytes } from './external-data';
import { bfloat16BitsToFloat32, float32ToBfloat16Bits } from './tensor/half';
import { normalizeRecipe, parseRecipe, recipeToCliCommand, serializeRecipe } from './recipe';
import { storageSummaryText } from './plan/touched-summary';
import { hasLowKernel } from './types/ep-kernels';

const F = DataType.FLOAT;
const B = DataType.BFLOAT16;
const H = DataType.FLOAT16;
const BF16 = { lowPrecision: 'bf16' as const };
const open = (model: ModelProto) => openModel(encodeModel(model));
const convert = (model: ModelProto, recipe = {}) => {
  const result = convertModel(open(model), { ...BF16, ...recipe });
  return { ...result, model: decodeModel(result.bytes) };
};
const casts = (g: GraphProto) => (g.node ?? []).filter((n) => n.opType === 'Cast');
const castTo = (n: NodeProto) => Number(n.attribute?.find((a) => a.name === 'to')?.i ?? 0);
const elemTypes = (g: GraphProto) => [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])].map((v) => v.type?.tensorType?.elemType);

function chain(opset = 17): ModelProto {
  return buildModel({
    opset,
    inputs: [valueInfo('x', F, ['batch', 4])],
    outputs: [valueInfo('y', F, ['batch', 4])],
    initializers: [floatTensor('w', [4, 4], [1e6, -7e4, 1e-12, 0.1, ...new Array(12).fill(0.5)]), floatTensor('w2', [4, 4], new Array(16).fill(0.25))],
    nodes: [
      node('MatMul', ['x', 'w'], ['a'], { name: 'mm1' }),
      node('Softmax', ['a'], ['s'], { name: 'softmax', attributes: [attr.int('axis', -1)] }),
      node('MatMul', ['s', 'w2'], ['y'], { name: 'mm2' }),
    ],
  });
}

describe('bf16 conversion', () => {
  it('writes bfloat16 where fp16 would be: values, Casts, weights rounded to nearest even and never clamped', () => {
    const { model: out, report } = convert(chain(), { opBlockList: ['Softmax'] });
    const graph = out.graph!;
    expect(casts(graph).map(castTo).sort()).toEqual([F, B]);
    expect(elemTypes(graph)).not.toContain(H);
    expect(elemTypes(graph)).toContain(B);
    const w = graph.initializer!.find((t) => t.name === 'w')!;
    expect(w.dataType).toBe(B);
    const bits = new Uint16Array(tensorBytes(w)!.slice().buffer);
    expect(Array.from(bits.slice(0, 4), bfloat16BitsToFloat32)).toEqual([1e6, -7e4, 1e-12, 0.1].map((x) => bfloat16BitsToFloat32(float32ToBfloat16Bits(x))));
    expect(bfloat16BitsToFloat32(bits[0])).toBe(999424); // 1e6 kept, where fp16 clamps it to 65504
    expect(report).toMatchObject({ lowPrecision: 'bf16', clampedValues: 0, raisedValues: 0, touchedTensors: [] });
    expect(storageSummaryText(report)).toBe("bf16: no clamping needed (float32's range)");
    expect(planModel(open(chain()), {}).clampedValues).toBe(2); // the same weights under fp16
    expect(() => buildIr(out)).not.toThrow();
  });

  it('names its Casts after bf16 and is deterministic', () => {
    const a = convertModel(open(chain()), { ...BF16, opBlockList: ['Softmax'] }).bytes;
    const b = convertModel(open(chain()), { ...BF16, opBlockList: ['Softmax'] }).bytes;
    expect(a).toEqual(b);
    expect(casts(decodeModel(a).graph!).map((n) => n.name)).toEqual(['a_castaway_cast_to_fp32', 's_castaway_cast_to_bf16']);
  });

  it('retargets an existing Cast(to=FLOAT) in a bf16 region to BFLOAT16, and drops one that becomes an identity', () => {
    const retarget = buildModel({
      opset: 17,
      inputs: [valueInfo('mask', DataType.INT64, [4]), valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4])],
      nodes: [node('Cast', ['mask'], ['m'], { name: 'cast', attributes: [attr.int('to', F)] }), node('Mul', ['x', 'm'], ['y'], { name: 'mul' })],
    });
    const c = casts(convert(retarget).model.graph!);
    expect(c.map(castTo)).toEqual([B]);
    const identity = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4])],
      nodes: [node('Relu', ['x'], ['r'], { name: 'relu' }), node('Cast', ['r'], ['c'], { name: 'noop', attributes: [attr.int('to', F)] }), node('Exp', ['c'], ['y'], { name: 'exp' })],
    });
    const { model: out, report } = convert(identity);
    expect(casts(out.graph!)).toHaveLength(0);
    expect(report.castCount).toBe(0);
  });

  it('keeps ops whose target EP has no bfloat16 kernel fp32 (the same mechanism as fp16)', () => {
    // onnxruntime's CPU EP has bfloat16 kernels for data movement only (Cast, Reshape, Transpose, ...), no MatMul.
    expect(hasLowKernel('cpu', 'bf16', '', 'MatMul', 17)).toBe(false);
    expect(hasLowKernel('cpu', 'bf16', '', 'Transpose', 17)).toBe(true);
    expect(hasLowKernel('cuda', 'bf16', '', 'MatMul', 17)).toBe(true);
    expect(hasLowKernel('webgpu', 'bf16', '', 'MatMul', 17)).toBe(false); // WGSL has no bfloat16
    expect(hasLowKernel('webgpu', 'fp16', '', 'MatMul', 17)).toBe(true);
    const cpu = planModel(open(chain()), { ...BF16, targetEp: 'cpu' });
    expect(cpu.nodePrecision.slice(0, 3)).toEqual(['fp32', 'fp32', 'fp32']);
    expect(cpu.nodeReasons[0]).toBe('ep-kernel');
    const cuda = planModel(open(chain()), { ...BF16, targetEp: 'cuda' });
    expect(cuda.nodePrecision.slice(0, 3)).toEqual(['low', 'low', 'low']);
  });

  it('keeps everything fp32 below opset 13, where ONNX has no bfloat16', () => {
    const { model: out, report } = convert(chain(12));
    expect(report.insertedCasts).toBe(0);
    expect(report.nodePrecision.slice(0, 3)).toEqual(['fp32', 'fp32', 'fp32']);
    expect(report.nodeReasons[0]).toBe('spec');
    expect(elemTypes(out.graph!)).not.toContain(B);
  });

  it('keeps groups whose type constraint lacks bfloat16 fp32 (Sin-7 has float16 only; Sin-22 adds bfloat16)', () => {
    const sin = (opset: number) =>
      buildModel({ opset, inputs: [valueInfo('x', F, [4])], outputs: [valueInfo('y', F, [4])], nodes: [node('Sin', ['x'], ['y'], { name: 'sin' })] });
    const old = planModel(open(sin(17)), BF16);
    expect([old.nodePrecision[0], old.nodeReasons[0]]).toEqual(['fp32', 'spec']);
    expect(planModel(open(sin(17)), {}).nodePrecision[0]).toBe('low');
    expect(planModel(open(sin(22)), BF16).nodePrecision[0]).toBe('low');
  });

  it("names the plan's low side after the recipe's type, the same plan for both", () => {
    const fp16Plan = planModel(open(chain()), {});
    const bf16Plan = planModel(open(chain()), BF16);
    expect(bf16Plan.nodePrecision).toEqual(fp16Plan.nodePrecision);
    expect(bf16Plan.nodePrecision.map((p) => precisionName(p, 'bf16'))).toContain('bf16');
    expect(fp16Plan.nodePrecision.map((p) => precisionName(p, 'fp16'))).toContain('fp16');
    expect(['fp32', 'mixed', 'none'].map((p) => precisionName(p as 'fp32' | 'mixed' | 'none', 'bf16'))).toEqual(['fp32', 'mixed', 'none']);
  });

  it('simulates by rounding through bfloat16 Casts, its weights rounded but not clamped', () => {
    const sim = simulateModel(open(chain()), { ...BF16, opBlockList: ['Softmax'] });
    const graph = decodeModel(sim.bytes).graph!;
    expect(casts(graph).map(castTo)).toContain(B);
    expect(casts(graph).map(castTo)).not.toContain(H);
    expect(sim.clampedValues).toBe(0);
    const rounded = graph.initializer!.find((t) => t.name?.startsWith('w_castaway'))!;
    expect(new Float32Array(tensorBytes(rounded)!.slice().buffer)[0]).toBe(999424);
  });
});

describe('the lowPrecision recipe field', () => {
  it('defaults to fp16, validates, serializes and appears in the CLI command only when bf16', () => {
    expect(normalizeRecipe({}).lowPrecision).toBe('fp16');
    expect(() => normalizeRecipe({ lowPrecision: 'fp8' })).toThrow(/lowPrecision/);
    const bf16 = normalizeRecipe({ ...DEFAULT_RECIPE, lowPrecision: 'bf16' });
    expect(parseRecipe(serializeRecipe(bf16))).toEqual(bf16);
    expect(serializeRecipe(bf16)).toContain('"lowPrecision": "bf16"');
    expect(recipeToCliCommand(bf16, 'm.onnx', 'o.onnx')).toBe('npx castaway convert m.onnx -o o.onnx --low-precision bf16');
    expect(recipeToCliCommand(DEFAULT_RECIPE, 'm.onnx', 'o.onnx')).toBe('npx castaway convert m.onnx -o o.onnx');
  });
});
