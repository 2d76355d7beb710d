// Weights kept in Constant nodes count like initializers: in the model's weight bytes, the fp16 weight
// share, the clamp/flush counts of a plan (equal to what the converter really clamps), and per node.
import { describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel, summarizeModel } from '../engine';
import { encodeModel } from '../serde';
import { CONSTANT_WEIGHTS_FACTS, constantWeightsModel } from '../testing/constant-weights';

const model = () => openModel(encodeModel(constantWeightsModel()));

describe('Constant-node weights', () => {
  it('count in the model summary: weight bytes and the values beyond fp16 on the node that reads them', () => {
    const summary = summarizeModel(model());
    expect(summary.weightBytes).toBe(CONSTANT_WEIGHTS_FACTS.weightBytes);
    const byName = new Map(summary.nodes.map((n) => [n.name, n]));
    expect(byName.get('linear_0')!.weightsBeyondFp16).toBe(CONSTANT_WEIGHTS_FACTS.clampedInLinear0);
    expect(byName.get('linear_1')!.weightsBeyondFp16).toBe(0);
    expect(byName.get('relu_0')!.weightsBeyondFp16).toBe(0);
    // The Constant's output carries its tensor's dims and size, as an initializer would.
    const weight = summary.values.find((v) => v.name === 'linear_0.w_0')!;
    expect(weight.shape).toEqual([8, 8]);
    expect(weight.constantBytes).toBe(256);
  });

  it('count in a plan: fp16 weight share, clamped and raised, as many as the converter clamps', () => {
    const engine = model();
    const report = planModel(engine, {});
    expect(report.fp16WeightShare).toBe(1);
    expect(report.clampedValues).toBe(CONSTANT_WEIGHTS_FACTS.clampedInLinear0);
    expect(report.raisedValues).toBe(CONSTANT_WEIGHTS_FACTS.raisedInLinear1);
    const converted = convertModel(engine, {});
    expect(converted.report.clampedValues).toBe(report.clampedValues);
    expect(converted.report.raisedValues).toBe(report.raisedValues);
  });

  it('keeping the node fp32 keeps its weight exact: no clamp, a smaller fp16 share', () => {
    const engine = model();
    const report = planModel(engine, { nodeBlockList: ['linear_0'] });
    expect(report.clampedValues).toBe(0);
    expect(report.raisedValues).toBe(CONSTANT_WEIGHTS_FACTS.raisedInLinear1);
    // linear_0's 8x8 weight stays fp32; the bias and linear_1's weight are fp16.
    expect(report.fp16WeightShare).toBeCloseTo((8 + 32) / (64 + 8 + 32), 10);
    expect(convertModel(engine, { nodeBlockList: ['linear_0'] }).report.clampedValues).toBe(0);
  });
});
