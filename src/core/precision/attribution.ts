// Per-node error from the exposed intermediate values: each node's output error, and the error it *adds*
// (its output error beyond the worst error already on its inputs). Rounding to fp16 adds error where a
// value is stored in fp16; amplification shows up too, which is what a block list can act on either way.
import type { PlannedPrecision } from '../api';
import { addsNoError } from './exact-ops';
import type { IrGraph, IrModel } from '../ir';
import { flatIndex, flatNodes } from '../flat-nodes';
import type { ValueError } from './metrics';
import { LOW_FORMATS } from '../tensor/low-precision';

export interface NodeShape {
  index: number;
  name: string;
  opType: string;
  domain?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Set when the node is known to round nothing itself (an If whose branches are measured). */
  exact?: boolean;
}

export interface NodeError {
  index: number;
  name: string;
  opType: string;
  precision: PlannedPrecision;
  /** Worst relative L2 error over the node's float outputs. */
  outputError: number;
  /** Worst relative L2 error over its inputs (0 for graph inputs and weights). */
  inputError: number;
  /** outputError - inputError, at least 0; Infinity where the node turns finite inputs into inf/NaN. */
  added: number;
  maxAbs: number;
  nonFinite: number;
  /** Reference elements of its outputs beyond fp16's range. */
  overflow: number;
  /**
   * Estimated share of the model outputs' error that comes from this node: the error it adds (at least
   * fp16's rounding when it is fp16) times how much the nodes after it amplify a relative error on the
   * way to an output (the largest product of measured output/input error ratios along any path).
   */
  impact: number;
  /** A copy or selection of its inputs (exact-ops.ts): it rounds nothing, so it is never ranked. */
  exact: boolean;
}

/** Relative L2 error that rounding a value to fp16 adds (unit roundoff 2^-11 over sqrt(3)); bf16's is 2^-8 (tensor/low-precision.ts). */
const FP16_ROUNDING = LOW_FORMATS.fp16.roundingError;

export function attributeErrors(
  nodes: readonly NodeShape[],
  nodePrecision: readonly PlannedPrecision[],
  errors: ReadonlyMap<string, ValueError>,
  graphOutputs: readonly string[] = [],
  /** The rounding one low-precision value adds: the recipe's low type's (fp16 by default). */
  rounding: number = FP16_ROUNDING,
): NodeError[] {
  const result: NodeError[] = [];
  for (const node of nodes) {
    let outputError = -1;
    let maxAbs = 0;
    let nonFinite = 0;
    let overflow = 0;
    for (const out of node.outputs) {
      const e = errors.get(out);
      if (!e) continue;
      outputError = Math.max(outputError, e.nonFinite ? Infinity : e.relL2);
      maxAbs = Math.max(maxAbs, e.maxAbs);
      nonFinite += e.nonFinite;
      overflow += e.overflow;
    }
    if (outputError < 0) continue; // no float output was measured
    let inputError = 0;
    let inputNonFinite = false;
    for (const input of node.inputs) {
      const e = errors.get(input);
      if (!e) continue;
      if (e.nonFinite) inputNonFinite = true;
      inputError = Math.max(inputError, e.nonFinite ? Infinity : e.relL2);
    }
    const exact = node.exact ?? addsNoError(node.opType, node.domain);
    // An exact op's output error is its input's (a weight's rounding read through an Identity included):
    // it adds none, whatever the two noisy measurements say.
    const added = exact ? 0 : nonFinite && !inputNonFinite ? Infinity : inputNonFinite ? 0 : Math.max(0, outputError - inputError);
    result.push({
      index: node.index,
      name: node.name,
      opType: node.opType,
      precision: nodePrecision[node.index] ?? 'none',
      outputError,
      inputError,
      added,
      maxAbs,
      nonFinite,
      overflow,
      impact: 0,
      exact,
    });
  }
  // Sensitivity, from the outputs backwards (nodes come in topological order): S(value) is 1 at a graph
  // output, else the largest gain(c) * S(c) over the measured nodes c that read it.
  const measured = new Map(result.map((e) => [e.index, e] as const));
  const valueSensitivity = new Map<string, number>(graphOutputs.map((name) => [name, 1] as const));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const e = measured.get(node.index);
    if (!e) continue;
    let sensitivity = 0;
    for (const out of node.outputs) sensitivity = Math.max(sensitivity, valueSensitivity.get(out) ?? 0);
    const rounds = !e.exact && (e.precision === 'low' || e.precision === 'mixed');
    const local = Number.isFinite(e.added) ? Math.max(e.added, rounds ? rounding : 0) : Infinity;
    e.impact = local === Infinity ? Infinity : local * sensitivity;
    // How much of the input error comes out: the output error less the node's own rounding, per unit of
    // input error (clipped: a ratio of two noisy measurements must not compound into huge products).
    const own = rounds ? rounding : 0;
    const gain =
      e.inputError > 0 && Number.isFinite(e.outputError) && Number.isFinite(e.inputError)
        ? Math.min(2, Math.max(0.05, (e.outputError - own) / e.inputError))
        : 1;
    for (const input of node.inputs) {
      if (!errors.has(input)) continue;
      valueSensitivity.set(input, Math.max(valueSensitivity.get(input) ?? 0, gain * sensitivity));
    }
  }
  return result;
}

/**
 * The nodes a block list could help with, largest impact on the outputs first: nodes computed (partly) in
 * fp16 with a name the block list can refer to. Every rounding fp16 node stays in the ranking (fp16
 * storage error is diffuse: each rounded value adds a little), so a search over it can always reach the
 * all-fp32 error; exact ops (Identity, Reshape, ...) are left out: blocking one changes nothing.
 */
export function rankNodes(errors: readonly NodeError[], limit = Infinity): NodeError[] {
  return errors
    .filter((e) => (e.precision === 'low' || e.precision === 'mixed') && e.name && !e.exact)
    .sort((a, b) => b.impact - a.impact || b.added - a.added || b.index - a.index)
    .slice(0, limit);
}

/** Overlay level 0..4 of a node's added error on a log scale (0: none or below 1e-5, 4: 1e-2 and more). */
export function errorLevel(added: number): 0 | 1 | 2 | 3 | 4 {
  if (!(added > 1e-5)) return 0;
  if (added >= 1e-2) return 4;
  if (added >= 1e-3) return 3;
  if (added >= 1e-4) return 2;
  return 1;
}

/**
 * Attribution's view of the model's nodes (flat indices, bodies included), in an order where every value
 * is produced before it is read: an If/Loop/Scan comes after its bodies' nodes. Such a node reads what its
 * bodies read from outer scopes and, for an If, its branches' results, so error and sensitivity flow
 * through it into the bodies and out again. An If whose branch results were measured adds nothing of its
 * own (its branches' nodes carry their error); without measured bodies the node stands for them.
 */
export function attributionNodes<T extends NodeShape>(model: IrModel, nodes: readonly T[], measured: (name: string) => boolean): T[] {
  const flat = flatNodes(model);
  const ordered: T[] = [];
  const visit = (graph: IrGraph) => {
    graph.nodes.forEach((_, n) => {
      const node = nodes[flatIndex(flat, graph, n)];
      const bodies = graph.subgraphs.get(n);
      if (!node) return;
      if (!bodies) {
        ordered.push(node);
        return;
      }
      for (const { graph: body } of bodies) visit(body);
      const reads = new Set(node.inputs);
      for (const { graph: body } of bodies) for (const name of body.outerReads) reads.add(name);
      const results = node.opType === 'If' ? bodies.flatMap(({ graph: body }) => body.outputs) : [];
      for (const name of results) reads.add(name);
      ordered.push({ ...node, inputs: [...reads], ...(results.some(measured) ? { exact: true } : {}) });
    });
  };
  visit(model.main);
  return ordered;
}
