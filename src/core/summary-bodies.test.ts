// Bodies in the summary and the plan report: one flat node index space, body nodes filed under a scope
// named after their If, values that flow into bodies and back out to the If, and Casts placed by flat index.
import { describe, expect, it } from 'vitest';
import { openModel, planModel, summarizeModel } from './engine';
import { isBodyScope } from './flat-nodes';
import { encodeModel } from './serde';
import { ifClassifier, loopRefiner } from './testing/control-flow-models';

describe('summary with If bodies', () => {
  const model = openModel(encodeModel(ifClassifier()));
  const summary = summarizeModel(model);
  const byName = new Map(summary.nodes.map((n) => [n.name, n]));

  it('counts every node once, main graph first', () => {
    expect(summary.mainNodeCount).toBe(2);
    expect(summary.nodeCount).toBe(6);
    expect(summary.nodes.map((n) => n.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(summary.nodes.slice(0, 2).map((n) => n.name)).toEqual(['embed', 'switch']);
    expect(summary.opTypes.reduce((sum, op) => sum + op.count, 0)).toBe(summary.nodeCount);
  });

  it('files body nodes under a scope per branch, named after the If', () => {
    expect(summary.bodies.map((b) => [b.parentNode, b.attribute, b.scope, b.nodeCount])).toEqual([
      [1, 'then_branch', '/switch⟨then_branch⟩/', 2],
      [1, 'else_branch', '/switch⟨else_branch⟩/', 2],
    ]);
    expect(byName.get('sigmoid')!.path).toBe('/switch⟨then_branch⟩/sigmoid');
    expect(byName.get('embed')!.path).toBe('embed');
    expect(isBodyScope('/switch⟨then_branch⟩/')).toBe(true);
    expect(isBodyScope('/encoder/layers.0/')).toBe(false);
  });

  it('draws outer values flowing into the bodies and body results flowing to the If', () => {
    const values = new Map(summary.values.map((v) => [v.name, v]));
    expect(values.get('h')!.consumers).toEqual(expect.arrayContaining([byName.get('head1')!.index, byName.get('head2')!.index]));
    expect(values.get('p')!.producer).toBe(byName.get('sigmoid')!.index);
    expect(values.get('p')!.consumers).toEqual([byName.get('switch')!.index]);
  });

  it('reports precision per flat node and Casts at the end of a body as feeding its If', () => {
    const plan = planModel(model, { opBlockList: ['Softmax'] });
    expect(plan.nodePrecision).toHaveLength(6);
    expect(plan.nodePrecision[byName.get('softmax')!.index]).toBe('fp32');
    expect(plan.nodePrecision[byName.get('sigmoid')!.index]).toBe('low');
    expect(plan.nodeReasons[byName.get('softmax')!.index]).toBe('op-block-list');
    const intoSoftmax = plan.boundaries.find((b) => b.consumers.includes(byName.get('softmax')!.index))!;
    expect(intoSoftmax.producer).toBe(byName.get('head2')!.index);
    const outOfBranch = plan.boundaries.find((b) => b.value === 'q')!;
    expect(outOfBranch.producer).toBe(byName.get('softmax')!.index);
    expect(outOfBranch.consumers).toEqual([byName.get('switch')!.index]);
  });

  it('blocks a body node by its own name', () => {
    const plan = planModel(model, { nodeBlockList: ['head1'] });
    expect(plan.nodePrecision[byName.get('head1')!.index]).toBe('fp32');
    expect(plan.nodeReasons[byName.get('head1')!.index]).toBe('node-block-list');
  });
});

describe('summary with a Loop body', () => {
  it('the body inputs come from the Loop node', () => {
    const summary = summarizeModel(openModel(encodeModel(loopRefiner())));
    const loop = summary.nodes.find((n) => n.opType === 'Loop')!;
    const values = new Map(summary.values.map((v) => [v.name, v]));
    expect(values.get('s')!.producer).toBe(loop.index);
    expect(values.get('s_next')!.consumers).toContain(loop.index);
    expect(summary.nodeCount).toBe(3 + 4);
  });
});

describe('summary of silero VAD v5 (nested Ifs)', () => {
  it('counts all 689 nodes in 50 bodies and never folds a Conv or LSTM away behind a nested If', async () => {
    const { readFileSync } = await import('node:fs');
    const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/subgraphs/silero-vad-v5.onnx', import.meta.url)));
    const summary = summarizeModel(openModel(bytes));
    expect(summary.nodeCount).toBe(689);
    expect(summary.mainNodeCount).toBe(5);
    expect(summary.bodies).toHaveLength(50);
    const compute = summary.nodes.filter((n) => n.opType === 'LSTM' || n.opType === 'Conv');
    expect(compute).toHaveLength(16);
    expect(compute.filter((n) => n.foldable)).toEqual([]);
  });
});
