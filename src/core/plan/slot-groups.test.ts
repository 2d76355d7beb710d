// The planning problem's slot groups: one flat array per graph, laid out like the IR's inputIds/outputIds
// (node n's slot k at graph.inputStart[n] + k), not a typed-array view per node.
import { describe, expect, it } from 'vitest';
import { openModel } from '../engine';
import { DataType } from '../onnx/proto-types';
import { ifClassifier } from '../testing/control-flow-models';

describe('planning problem slot groups', () => {
  it('hold, per graph and slot, the group whose slot list names it (-1 for a non-float slot)', () => {
    const model = openModel(ifClassifier());
    const { inputGroups, outputGroups, groups } = model.problem;
    for (const graph of model.ir.graphs) {
      expect(inputGroups[graph.id]).toBeInstanceOf(Int32Array);
      expect(inputGroups[graph.id].length).toBe(graph.inputIds.length);
      expect(outputGroups[graph.id].length).toBe(graph.outputIds.length);
      graph.nodes.forEach((node, n) => {
        (node.input ?? []).forEach((name, k) => {
          const group = inputGroups[graph.id][graph.inputStart[n] + k];
          const float = !!name && model.problem.types.elemType(graph, name) === DataType.FLOAT;
          expect(group >= 0, `${node.opType} input ${k}`).toBe(float);
          if (group >= 0 && groups[group].node === n && groups[group].graph === graph) expect(groups[group].inputs).toContain(k);
        });
        (node.output ?? []).forEach((name, k) => {
          const group = outputGroups[graph.id][graph.outputStart[n] + k];
          if (node.opType === 'Constant') expect(group).toBe(-1); // stored data, not a group's
          else if (group >= 0) expect(groups[group].outputs).toContain(k);
        });
      });
    }
  });
});
