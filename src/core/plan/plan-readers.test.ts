// PlanValue.readers and consumers, which the planning problem keeps flat per value (constraints.ts
// ReaderTable) and lists as objects only when asked: every (node, slot) read in node then slot order, a
// read inside a body in the body's graph, graph-output reads last with node -1; consumers the distinct
// reading groups other than the producer, sorted.
import { describe, expect, it } from 'vitest';
import { openModel } from '../engine';
import { DataType } from '../onnx/proto-types';
import { attr, buildGraph, buildModel, node, valueInfo } from '../testing/build-model';

const F = DataType.FLOAT;

describe('planning problem readers', () => {
  it('lists each value\'s reads in order, body reads in their graph, graph outputs last', () => {
    const thenBranch = buildGraph({ name: 'then', outputs: [valueInfo('t', F)], nodes: [node('Relu', ['a'], ['t'], { name: 'inner' })] });
    const model = openModel(buildModel({
      inputs: [valueInfo('x', F, [2]), valueInfo('c', DataType.BOOL, [])],
      outputs: [valueInfo('a', F, [2]), valueInfo('y', F, [2]), valueInfo('z', F, [2])],
      nodes: [
        node('Exp', ['x'], ['a'], { name: 'exp' }),
        node('If', ['c'], ['y'], { name: 'if', attributes: [attr.graph('then_branch', thenBranch), attr.graph('else_branch', thenBranch)] }),
        node('Add', ['a', 'a'], ['z'], { name: 'add' }),
      ],
    }));
    const { values, groups } = model.problem;
    const byName = (name: string) => values.find((v) => v.name === name && v.graph.id === 0)!;
    const a = byName('a');
    const described = a.readers.map((r) => [r.graph.id, r.graph.id === 0 && r.node >= 0 ? r.graph.nodes[r.node].name : r.node, r.slot, groups[r.group].cls]);
    // the body's Relu reads 'a' (the then and else bodies are one graph object, indexed twice), then Add's
    // two slots, then the main graph output
    expect(described.filter((d) => d[0] !== 0).length).toBeGreaterThan(0);
    expect(described.filter((d) => d[0] === 0)).toEqual([[0, 'add', 0, 'compute'], [0, 'add', 1, 'compute'], [0, -1, 0, 'graph-output']]);
    expect(a.readers).toBe(a.readers); // listed once
    expect(a.consumers).toEqual([...new Set(a.readers.map((r) => r.group))].filter((g) => g !== a.producer).sort((p, q) => p - q));
    expect(byName('x').readers.map((r) => [r.node, r.slot])).toEqual([[0, 0]]);
    const z = byName('z');
    expect(z.readers.map((r) => [r.node, r.slot, groups[r.group].cls])).toEqual([[-1, 2, 'graph-output']]);
  });
});
