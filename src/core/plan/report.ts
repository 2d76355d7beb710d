// Numbers the user sees for a plan: Cast counts, cast bytes, fp16 shares of weights and of FLOPs, and the
// per-node precision and boundaries the graph view draws. Derived from the plan here, never in the UI.
import type { CastBoundary, NodeReason, PlannedPrecision, PlanReport, Precision, Recipe, TouchedTensor } from '../api';
import { DataType, toNumber, type TensorProto } from '../onnx/proto-types';
import type { PlanningProblem } from './constraints';
import { forEachStoredTensor } from './stored-tensors';
import { flatIndex, flatNodes } from '../flat-nodes';
import { elementCount, type PlanOutcome } from './planner';
import { valueSizes } from './value-sizes';
import { SKIP_LAYER_NORM_STRICT_OPTION } from './fp32-compute';

type NodePrecision = PlannedPrecision;

/** Per node of every graph (flat index, main graph first): the precision of its float slot groups. */
function nodePrecisions(problem: PlanningProblem, outcome: PlanOutcome): NodePrecision[] {
  const flat = flatNodes(problem.model);
  const result: NodePrecision[] = new Array(flat.total).fill('none');
  problem.groups.forEach((group, g) => {
    if (group.node < 0) return;
    const at = flatIndex(flat, group.graph, group.node);
    const p: Precision = outcome.groupFp16[g] ? 'low' : 'fp32';
    const current = result[at];
    result[at] = current === 'none' || current === p ? p : 'mixed';
  });
  return result;
}

/** Per node of every graph (flat index), the reason of its first fp32 group (the block list outranks the cut). */
function nodeReasons(problem: PlanningProblem, outcome: PlanOutcome): (NodeReason | undefined)[] {
  const flat = flatNodes(problem.model);
  const result: (NodeReason | undefined)[] = new Array(flat.total).fill(undefined);
  problem.groups.forEach((group, g) => {
    if (group.node < 0 || outcome.groupFp16[g]) return;
    const at = flatIndex(flat, group.graph, group.node);
    const reason = outcome.groupReason[g];
    if (!result[at] || result[at] === 'cut') result[at] = reason;
  });
  return result;
}

/** Nodes (flat index, bodies included) with a group kept at fp16 I/O because its kernel computes in fp32. */
function fp32ComputeNodes(problem: PlanningProblem, outcome: PlanOutcome): number[] {
  const flat = flatNodes(problem.model);
  const nodes = new Set<number>();
  problem.groups.forEach((group, g) => {
    if (outcome.fp32Compute[g] && group.node >= 0) nodes.add(flatIndex(flat, group.graph, group.node));
  });
  return [...nodes].sort((a, b) => a - b);
}

/**
 * Where each Cast goes, by flat node index. A body output read by its If/Loop/Scan counts that node as
 * the reader (the Cast sits at the end of the body, on the way to it); a Loop/Scan body input is
 * produced by its Loop/Scan node.
 */
function castBoundaries(problem: PlanningProblem, outcome: PlanOutcome, recipe: Recipe): CastBoundary[] {
  const main = problem.model.main;
  const flat = flatNodes(problem.model);
  // The nodes objective keeps the declared sizes: the bound inference pass is the bytes objective's cost only.
  const sizes = recipe.objective === 'nodes' ? undefined : valueSizes(problem, recipe.dims);
  return outcome.castValues.map((i) => {
    const value = problem.values[i];
    const producerGroup = problem.groups[value.producer];
    const toLow = !outcome.groupFp16[value.producer];
    const consumers = value.readers
      .filter((r) => (outcome.groupFp16[r.group] === 1) === toLow)
      .flatMap((r) => {
        if (r.node >= 0) return [flatIndex(flat, r.graph, r.node)];
        const tie = problem.groups[r.group];
        return r.graph !== main && tie.node >= 0 ? [flatIndex(flat, tie.graph, tie.node)] : [];
      });
    return {
      value: value.name,
      to: toLow ? 'low' : 'fp32',
      producer: producerGroup.node >= 0 ? flatIndex(flat, producerGroup.graph, producerGroup.node) : -1,
      consumers: [...new Set(consumers)],
      bytes: 6 * (sizes ? sizes.count(value.graph, value.name) : elementCount(problem.valueShape(value.graph, value.name), recipe.dims)),
    };
  });
}

function tensorByteLength(t: TensorProto): number {
  let count = 1;
  for (const d of t.dims ?? []) count *= toNumber(d);
  return count * 4;
}

/** Recipe-independent facts the shares need, computed once per problem (re-plans only sum over them). */
interface ShareIndex {
  /** Per stored read, the index of the float32 weight it reads (-1 when not a float32 initializer). */
  readWeight: Int32Array;
  weightBytes: Float64Array;
  totalWeightBytes: number;
  /** Per-group FLOP estimates, by the recipe's dims (a toggle keeps the dims, so this is a cache hit). */
  flops: Map<string, Float64Array>;
}

const shareIndexes = new WeakMap<PlanningProblem, ShareIndex>();

function shareIndex(problem: PlanningProblem): ShareIndex {
  let index = shareIndexes.get(problem);
  if (index) return index;
  // per graph, per value id (ir.ts): the weight's index, -1 for none (arrays, not a Map of names per graph)
  const ids: Int32Array[] = problem.model.graphs.map((g) => new Int32Array(g.valueNames.length).fill(-1));
  const bytes: number[] = [];
  // Initializers and Constant nodes' tensors alike: both are weights the plan stores in fp16 or fp32.
  forEachStoredTensor(problem.model.graphs, (graph, name, tensor) => {
    if (tensor.dataType !== DataType.FLOAT) return;
    const id = graph.valueId.get(name);
    if (id !== undefined) ids[graph.id][id] = bytes.push(tensorByteLength(tensor)) - 1;
  });
  const storedReads = problem.storedReads;
  const readWeight = new Int32Array(storedReads.length);
  // each read carries its value id: no name lookup per read (~20k on a 44k-node graph)
  for (let r = 0; r < storedReads.length; r++) readWeight[r] = ids[storedReads[r].ownerGraph.id][storedReads[r].id];
  const weightBytes = Float64Array.from(bytes);
  index = { readWeight, weightBytes, totalWeightBytes: bytes.reduce((a, b) => a + b, 0), flops: new Map() };
  shareIndexes.set(problem, index);
  return index;
}

/**
 * Share of float32 weight bytes (initializers and Constant nodes) that the plan stores as fp16 (a weight
 * read in both precisions counts).
 */
function fp16WeightShare(problem: PlanningProblem, outcome: PlanOutcome): number {
  const index = shareIndex(problem);
  if (!index.totalWeightBytes) return 0;
  const half = new Uint8Array(index.weightBytes.length);
  const reads = problem.storedReads;
  for (let r = 0; r < reads.length; r++) {
    const w = index.readWeight[r];
    if (w >= 0 && outcome.groupFp16[reads[r].group]) half[w] = 1;
  }
  let bytes = 0;
  for (let w = 0; w < half.length; w++) if (half[w]) bytes += index.weightBytes[w];
  return bytes / index.totalWeightBytes;
}

const MATMUL_LIKE = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'Attention', 'MultiHeadAttention', 'FusedMatMul']);

/**
 * Share of estimated FLOPs in fp16. An estimate: a matmul-like op costs 2 x weight elements x rows (rows =
 * product of the bound symbolic dims of its first input, 1 when unknown); any other float op costs the
 * elements of its first output (1 when unknown). Good enough to compare block lists, not to predict time.
 */
function fp16FlopShare(problem: PlanningProblem, outcome: PlanOutcome, recipe: Recipe): number {
  const flops = groupFlops(problem, recipe);
  let total = 0;
  let half = 0;
  for (let g = 0; g < flops.length; g++) {
    total += flops[g];
    if (outcome.groupFp16[g]) half += flops[g];
  }
  return total ? half / total : 0;
}

function groupFlops(problem: PlanningProblem, recipe: Recipe): Float64Array {
  const cache = shareIndex(problem).flops;
  const key = JSON.stringify(recipe.dims);
  let flops = cache.get(key);
  if (flops) return flops;
  flops = new Float64Array(problem.groups.length);
  problem.groups.forEach((group, g) => {
    if (group.node < 0) return;
    const node = group.graph.nodes[group.node];
    if (MATMUL_LIKE.has(group.opType)) {
      const weight = (node.input ?? []).slice(1).map((n) => group.graph.initializers.get(n)).find(Boolean);
      const weightElems = weight ? tensorByteLength(weight) / 4 : 1;
      flops![g] = 2 * weightElems * rowsOf(problem, group.graph, node.input?.[0] ?? '', recipe);
    } else {
      flops![g] = Math.max(1, group.outputs.length ? valueElements(problem, group.graph, node.output?.[group.outputs[0]] ?? '', recipe) : 1);
    }
  });
  cache.set(key, flops);
  return flops;
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
  counts: { existingCasts: number; removedCasts: number; ortReferenceCasts: number; clamped: number; raised: number; touched: TouchedTensor[]; planMillis: number },
): PlanReport {
  const boundaries = castBoundaries(problem, outcome, recipe);
  const report: PlanReport = {
    lowPrecision: recipe.lowPrecision,
    castCount: counts.existingCasts - counts.removedCasts + outcome.castValues.length,
    insertedCasts: outcome.castValues.length,
    castBytes: boundaries.reduce((sum, b) => sum + b.bytes, 0),
    ortReferenceCasts: counts.ortReferenceCasts,
    fp16WeightShare: fp16WeightShare(problem, outcome),
    fp16FlopShare: 0,
    boundaries,
    nodePrecision: [],
    nodeReasons: [],
    fp32ComputeNodes: [],
    unboundDims: outcome.unboundDims,
    requiredSessionOptions: outcome.fp32ComputeStrict.some((f) => f === 1) ? [SKIP_LAYER_NORM_STRICT_OPTION] : [],
    clampedValues: counts.clamped,
    raisedValues: counts.raised,
    touchedTensors: counts.touched,
    planMillis: counts.planMillis,
  };
  // What the graph view and `inspect` show, but `castaway convert` never prints: per-node lists over every
  // node and a FLOP estimate over every group (~25 ms of a cold 44k-node convert), computed on first read.
  // The problem never changes and each plan's outcome is its own, so a late read gives what an early one would.
  computedOnRead(report, 'fp16FlopShare', () => fp16FlopShare(problem, outcome, recipe));
  computedOnRead(report, 'nodePrecision', () => nodePrecisions(problem, outcome));
  computedOnRead(report, 'nodeReasons', () => nodeReasons(problem, outcome));
  computedOnRead(report, 'fp32ComputeNodes', () => fp32ComputeNodes(problem, outcome));
  return report;
}

/**
 * Makes `key` of `object` an enumerable getter that computes the value once and then becomes a plain data
 * property in the same place: key order, JSON, spreads and structured clones (postMessage) see a plain field.
 */
function computedOnRead<T extends object, K extends keyof T>(object: T, key: K, compute: () => T[K]): void {
  const settle = (value: T[K]) => Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(object, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
  });
}
