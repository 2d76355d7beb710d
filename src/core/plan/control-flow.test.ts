// Cast placement through If, Loop and Scan: the tensors these nodes carry across their boundary are free
// groups, so nothing forces a Cast at a body's edge unless a fixed group on one side needs the other precision.
import { describe, expect, it } from 'vitest';
import { convertModel, openModel, simulateModel } from '../engine';
import { DataType, type GraphProto, type ModelProto } from '../onnx/proto-types';
import { decodeModel, encodeModel } from '../serde';
import { ifClassifier, loopRefiner, scanAccumulator } from '../testing/control-flow-models';
import { exposedValueName } from '../rewrite/expose-bodies';

const H = DataType.FLOAT16;
const F = DataType.FLOAT;

function convert(model: ModelProto, recipe = {}) {
  const result = convertModel(openModel(encodeModel(model)), recipe);
  return { report: result.report, model: decodeModel(result.bytes) };
}
const castsIn = (g: GraphProto): number => (g.node ?? []).reduce((s, n) => s + (n.opType === 'Cast' ? 1 : 0) + (n.attribute ?? []).reduce((t, a) => t + (a.g ? castsIn(a.g) : 0), 0), 0);
const body = (g: GraphProto, attribute: string) => g.node!.find((n) => n.attribute?.some((a) => a.name === attribute))!.attribute!.find((a) => a.name === attribute)!.g!;
const elem = (vi: { type?: { tensorType?: { elemType?: number } } }) => vi.type?.tensorType?.elemType;

describe('If', () => {
  it('a classifier whose output comes through an If converts whole: no Cast, fp16 input and output', () => {
    const { model, report } = convert(ifClassifier());
    expect(castsIn(model.graph!)).toBe(0);
    expect(report.ortReferenceCasts).toBe(0);
    expect(elem(model.graph!.input![0])).toBe(H);
    expect(elem(model.graph!.output![0])).toBe(H);
    expect(elem(body(model.graph!, 'then_branch').output![0])).toBe(H);
    expect(elem(body(model.graph!, 'else_branch').output![0])).toBe(H);
  });

  it('a blocked op at the end of one branch costs its own two Casts, not one per branch', () => {
    const { model, report } = convert(ifClassifier(), { opBlockList: ['Softmax'] });
    expect(report.castCount).toBe(2);
    expect(report.ortReferenceCasts).toBe(2);
    expect(castsIn(model.graph!)).toBe(2);
    expect(elem(body(model.graph!, 'then_branch').output![0])).toBe(elem(body(model.graph!, 'else_branch').output![0]));
  });

  it('keep_io_types: the If output stays fp16 inside and one Cast at the graph output serves both branches', () => {
    const { model, report } = convert(ifClassifier(), { keepIoTypes: true });
    expect(report.castCount).toBe(2); // x to fp16, y to fp32
    expect(castsIn(body(model.graph!, 'then_branch')) + castsIn(body(model.graph!, 'else_branch'))).toBe(0);
    expect(elem(model.graph!.output![0])).toBe(F);
  });
});

describe('Loop', () => {
  it('the carried value stays fp16 across iterations; outer weights are read without a Cast', () => {
    const { model, report } = convert(loopRefiner());
    expect(castsIn(model.graph!)).toBe(0);
    const b = body(model.graph!, 'body');
    expect(elem(b.input![2])).toBe(H);
    expect(elem(b.output![1])).toBe(H);
    expect(report.castCount).toBeLessThanOrEqual(report.ortReferenceCasts);
  });

  it('a blocked op inside the body: the carried value takes the cheaper side, one Cast per crossing', () => {
    const { model, report } = convert(loopRefiner(), { opBlockList: ['Tanh'] });
    // Tanh reads m (fp16 MatMul) and writes t, read by the fp16 Add: two Casts, both in the body.
    expect(report.castCount).toBe(2);
    expect(castsIn(body(model.graph!, 'body'))).toBe(2);
    expect(report.castCount).toBeLessThanOrEqual(report.ortReferenceCasts);
  });

  it('a blocked op that reads an outer value inside the body casts it once in the outer graph', () => {
    const { model, report } = convert(loopRefiner(), { opBlockList: ['Add'] });
    // Add reads t (fp16) and x (the fp16 graph input): x is cast once, outside, before the Loop.
    expect(model.graph!.node!.filter((n) => n.opType === 'Cast')).toHaveLength(1);
    expect(report.castCount).toBeLessThanOrEqual(report.ortReferenceCasts);
  });
});

describe('Scan', () => {
  it('state, scan input and scan output all go fp16 with no Cast', () => {
    const { model, report } = convert(scanAccumulator());
    expect(castsIn(model.graph!)).toBe(0);
    const b = body(model.graph!, 'body');
    expect(b.input!.map(elem)).toEqual([H, H]);
    expect(b.output!.map(elem)).toEqual([H, H]);
    expect(report.castCount).toBeLessThanOrEqual(report.ortReferenceCasts);
  });

  it('with Exp blocked, the scan input follows it to fp32 (a free graph input) and only the Exp result is cast', () => {
    const { model, report } = convert(scanAccumulator(), { opBlockList: ['Exp'] });
    expect(report.castCount).toBe(1);
    expect(elem(model.graph!.input![0])).toBe(F);
    expect(elem(body(model.graph!, 'body').input![1])).toBe(F);
    expect(report.castCount).toBeLessThanOrEqual(report.ortReferenceCasts);
  });
});

describe('fp16 simulation through bodies', () => {
  it('a branch whose fp32 result the If reads in fp16 returns the rounded copy, as the real model Casts it', () => {
    const engine = openModel(encodeModel(ifClassifier()));
    const simulated = decodeModel(simulateModel(engine, { opBlockList: ['Softmax'] }).bytes);
    const elseBranch = body(simulated.graph!, 'else_branch');
    expect(elseBranch.output![0].name).toMatch(/^q_castaway_rounded/);
    expect(elseBranch.node!.some((n) => n.output?.includes(elseBranch.output![0].name!))).toBe(true);
    expect(body(simulated.graph!, 'then_branch').output![0].name).toBe('p');
  });
});

describe('exposing If branch values for the per-node preview', () => {
  it('each branch value comes out of the If; the other branch returns an empty tensor in its place', () => {
    const engine = openModel(encodeModel(ifClassifier()));
    const result = simulateModel(engine, {}, { reference: true, exposeIntermediates: true });
    expect(result.exposed).toEqual(expect.arrayContaining(['h', 'l1::exposed0', 'p::exposed0', 'l2::exposed0', 'q::exposed0']));
    expect(result.exposed.map(exposedValueName)).toEqual(expect.arrayContaining(['l1', 'p', 'l2', 'q']));
    const simulated = decodeModel(result.bytes);
    const ifNode = simulated.graph!.node!.find((n) => n.opType === 'If')!;
    const thenOut = body(simulated.graph!, 'then_branch').output!.map((o) => o.name);
    const elseOut = body(simulated.graph!, 'else_branch').output!.map((o) => o.name);
    expect(thenOut).toHaveLength(ifNode.output!.length);
    expect(elseOut).toHaveLength(ifNode.output!.length);
    // 'p' is already the branch's result: it goes out a second time through a copy, never listed twice.
    expect(new Set(thenOut).size).toBe(thenOut.length);
    expect(thenOut).toContain('p::copy0');
    expect(elseOut.filter((name) => name!.startsWith('castaway_empty'))).toHaveLength(2);
  });
});
