// The planner is exact across graph/subgraph boundaries: on random models with an If or a Loop whose
// bodies read outer values and return outer values, Constants or their own results, the Casts the
// rewrite inserts (in every graph) equal the brute-force optimum over the free groups, never more than
// onnxruntime's tool would insert, and every If/Loop keeps one element type per tensor it carries.
import { describe, expect, it } from 'vitest';
import { convertModel, openModel } from '../engine';
import { buildIr } from '../ir';
import { type GraphProto } from '../onnx/proto-types';
import { decodeModel, encodeModel } from '../serde';
import { bruteForceCasts } from '../testing/brute-force-casts';
import { randomControlFlowModel } from '../testing/random-control-flow';

function countCasts(graph: GraphProto): number {
  return (graph.node ?? []).reduce((sum, n) => sum + (n.opType === 'Cast' ? 1 : 0) + (n.attribute ?? []).reduce((s, a) => s + (a.g ? countCasts(a.g) : 0), 0), 0);
}

/** Element type of a name as declared in a graph (inputs, outputs, value_info), looking outward. */
function declaredType(scopes: GraphProto[], name: string): number | undefined {
  for (const g of [...scopes].reverse()) {
    const vi = [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])].find((v) => v.name === name);
    if (vi?.type?.tensorType?.elemType) return vi.type.tensorType.elemType;
  }
  return undefined;
}

/** Each If's branches return the same types; each Loop body returns its carried values in their input types. */
function expectConsistentInterfaces(graph: GraphProto, scopes: GraphProto[] = [graph], label = ''): void {
  for (const n of graph.node ?? []) {
    const bodies = (n.attribute ?? []).filter((a) => a.g);
    if (n.opType === 'If') {
      const [a, b] = bodies.map((x) => x.g!);
      a.output!.forEach((o, k) => expect(o.type!.tensorType!.elemType, `${label} If output ${k}`).toBe(b.output![k].type!.tensorType!.elemType));
    }
    if (n.opType === 'Loop') {
      const body = bodies[0].g!;
      (n.input ?? []).slice(2).forEach((name, k) => {
        const outer = declaredType(scopes, name);
        if (outer !== undefined) expect(body.input![2 + k].type!.tensorType!.elemType, `${label} Loop carried ${k}`).toBe(outer);
        expect(body.output![1 + k].type!.tensorType!.elemType, `${label} Loop carried ${k}`).toBe(body.input![2 + k].type!.tensorType!.elemType);
      });
    }
    for (const x of bodies) expectConsistentInterfaces(x.g!, [...scopes, x.g!], label);
  }
}

describe('planner on random If/Loop models', () => {
  it('inserts exactly the brute-force optimum number of Casts, in every graph (300 models)', () => {
    const kinds = { If: 0, Loop: 0 };
    for (let seed = 1; seed <= 300; seed++) {
      const { model, recipe, kind } = randomControlFlowModel(seed);
      kinds[kind]++;
      const engine = openModel(encodeModel(model));
      const { problem } = engine;
      // Nothing on a control-flow interface is pinned to fp32 by the engine any more.
      expect(problem.groups.filter((g) => g.cls === 'spec-fp32'), `seed ${seed}`).toEqual([]);
      const { best, freeGroups } = bruteForceCasts(problem, recipe, 18);
      expect(freeGroups, `seed ${seed}`).toBeLessThanOrEqual(18);
      const result = convertModel(engine, recipe);
      expect(result.report.insertedCasts, `seed ${seed}`).toBe(best);
      const out = decodeModel(result.bytes);
      expect(countCasts(out.graph!), `seed ${seed}`).toBe(best);
      expect(() => buildIr(out), `seed ${seed}`).not.toThrow();
      expectConsistentInterfaces(out.graph!, [out.graph!], `seed ${seed}`);
      expect(result.report.castCount, `seed ${seed}`).toBeLessThanOrEqual(result.report.ortReferenceCasts);
    }
    expect(kinds.If).toBeGreaterThan(100);
    expect(kinds.Loop).toBeGreaterThan(100);
  });
});
