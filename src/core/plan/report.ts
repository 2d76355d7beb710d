// Numbers the user sees for a plan: Cast counts, cast bytes, fp16 shares of weights and of FLOPs, and the
// per-node precision and boundaries the graph view draws. Derived from the plan here, never in the UI.
import type { CastBoundary, PlanReport, Precision, Recipe } from '../api';
import { DataType, toNumber, type TensorProto } from '../onnx/proto-types';
import type { PlanningProblem } from './constraints';
import { elementCount, type PlanOutcome } from './planner';

export type NodePrecision = Precision | 'mixed' | 'none';

/** Per main-graph node: the precision of its float slot groups. */
export function nodePrecisions(problem: PlanningProblem, outcome: PlanOutcome): NodePrecision[] {
  const main = problem.model.main;
  const result: NodePrecision[] = new Array(main.nodes.length).fill('none');
  problem.groups.forEach((group, g) => {
    if (group.graph !== main || group.node < 0) return;
    const p: Precision = outcome.groupFp16[g] ? 'fp16' : 'fp32';
    const current = result[group.node];
    result[group.node] = current === 'none' || current === p ? p : 'mixed';
  });
  return result;
}

/** Per main-graph node, the reason of its first fp32 group (the block list outranks the cut). */
export function nodeReasons(problem: PlanningProblem, outcome: PlanOutcome): (string | undefined)[] {
  const main = problem.model.main;
  const result: (string | undefined)[] = new Array(main.nodes.length).fill(undefined);
  problem.groups.forEach((group, g) => {
    if (group.graph !== main || group.node < 0 || outcome.groupFp16[g]) return;
    const reason = outcome.groupReason[g];
    if (!result[group.node] || result[group.node] === 'cut') result[group.node] = reason;
  });
  return result;
}

export function castBoundaries(problem: PlanningProblem, outcome: PlanOutcome, recipe: Recipe): CastBoundary[] {
  const main = problem.model.main;
  return outcome.castValues.map((i) => {
    const value = problem.values[i];
    const producerGroup = problem.groups[value.producer];
    const toFp16 = !outcome.groupFp16[value.producer];
    const consumers = value.readers
      .filter((r) => r.graph === main && r.node >= 0 && (outcome.groupFp16[r.group] === 1) === toFp16)
      .map((r) => r.node);
    return {
      value: value.name,
      to: toFp16 ? 'fp16' : 'fp32',
      producer: producerGroup.graph === main ? producerGroup.node : -1,
      consumers: [...new Set(consumers)],
      bytes: 6 * elementCount(problem.valueShape(value.graph, value.name), recipe.dims),
    };
  });
}

function tensorByteLength(t: TensorProto): number {
  let count = 1;
  for (const d of t.dims ?? []) count *= toNumber(d);
  return count * 4;
}

/** Share of float32 weight bytes that the plan stores as fp16 (a weight read in both precisions counts). */
export function fp16WeightShare(problem: PlanningProblem, outcome: PlanOutcome): number {
  const readFp16 = new Set<string>();
  for (const read of problem.storedReads) if (outcome.groupFp16[read.group]) readFp16.add(`${read.ownerGraph.id}:${read.name}`);
  let total = 0;
  let half = 0;
  for (const graph of problem.model.graphs) {
    for (const [name, t] of graph.initializers) {
      if (t.dataType !== DataType.FLOAT) continue;
      const bytes = tensorByteLength(t);
      total += bytes;
      if (readFp16.has(`${graph.id}:${name}`)) half += bytes;
    }
  }
  return total ? half / total : 0;
}

const MATMUL_LIKE = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'Attention', 'MultiHeadAttention', 'FusedMatMul']);

/**
 * Share of estimated FLOPs in fp16. An estimate: a matmul-like op costs 2 x weight elements x rows (rows =
 * product of the bound symbolic dims of its first input, 1 when unknown); any other float op costs the
 * elements of its first output (1 when unknown). Good enough to compare block lists, not to predict time.
 */
export function fp16FlopShare(problem: PlanningProblem, outcome: PlanOutcome, recipe: Recipe): number {
  let total = 0;
  let half = 0;
  problem.groups.forEach((group, g) => {
    if (group.node < 0) return;
    const node = group.graph.nodes[group.node];
    let flops: number;
    if (MATMUL_LIKE.has(group.opType)) {
      const weight = (node.input ?? []).slice(1).map((n) => group.graph.initializers.get(n)).find(Boolean);
      const weightElems = weight ? tensorByteLength(weight) / 4 : 1;
      const rows = rowsOf(problem, group.graph, node.input?.[0] ?? '', recipe);
      flops = 2 * weightElems * rows;
    } else {
      flops = Math.max(1, group.outputs.length ? valueElements(problem, group.graph, node.output?.[group.outputs[0]] ?? '', recipe) : 1);
    }
    total += flops;
    if (outcome.groupFp16[g]) half += flops;
  });
  return total ? half / total : 0;
}

function rowsOf(problem: PlanningProblem, graph: PlanningProblem['model']['main'], name: string, recipe: Recipe): number {
  const shape = shapeLookup(problem, graph, name);
  if (!shape || shape.length < 2) return 1;
  return elementCount(shape.slice(0, -1), recipe.dims);
}

function valueElements(problem: PlanningProblem, graph: PlanningProblem['model']['main'], name: string, recipe: Recipe): number {
  return elementCount(shapeLookup(problem, graph, name), recipe.dims);
}

function shapeLookup(problem: PlanningProblem, graph: PlanningProblem['model']['main'], name: string) {
  return problem.valueShape(graph, name);
}

export function buildPlanReport(
  problem: PlanningProblem,
  outcome: PlanOutcome,
  recipe: Recipe,
  counts: { existingCasts: number; removedCasts: number; ortReferenceCasts: number; clamped: number; flushed: number; planMillis: number },
): PlanReport {
  const boundaries = castBoundaries(problem, outcome, recipe);
  return {
    castCount: counts.existingCasts - counts.removedCasts + outcome.castValues.length,
    insertedCasts: outcome.castValues.length,
    castBytes: boundaries.reduce((sum, b) => sum + b.bytes, 0),
    ortReferenceCasts: counts.ortReferenceCasts,
    fp16WeightShare: fp16WeightShare(problem, outcome),
    fp16FlopShare: fp16FlopShare(problem, outcome, recipe),
    boundaries,
    nodePrecision: nodePrecisions(problem, outcome),
    nodeReasons: nodeReasons(problem, outcome),
    clampedValues: counts.clamped,
    flushedValues: counts.flushed,
    planMillis: counts.planMillis,
  };
}
