// The ModelSummary reduced to what the layout worker needs: names, op types, fold flags and edges.

import type { ModelSummary, ValueSummary } from '../core/api';
import type { GraphTopology } from '../../workers/layout-api';

export function indexValues(summary: ModelSummary): Map<string, ValueSummary> {
  return new Map(summary.values.map((value) => [value.name, value]));
}

export function topologyOf(summary: ModelSummary, values: Map<string, ValueSummary>): GraphTopology {
  const nodeCount = summary.nodes.length;
  const seen = new Set<number>();
  const from: number[] = [];
  const to: number[] = [];
  for (const value of summary.values) {
    if (value.producer < 0) continue;
    for (const consumer of value.consumers) {
      const key = value.producer * nodeCount + consumer;
      if (seen.has(key)) continue;
      seen.add(key);
      from.push(value.producer);
      to.push(consumer);
    }
  }
  return {
    names: summary.nodes.map((node) => node.name),
    foldable: foldedNodes(summary, values),
    opTypes: summary.nodes.map((node) => node.opType),
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
    inputs: summary.inputs,
    inputConsumers: summary.inputs.map((name) => values.get(name)?.consumers ?? []),
    outputs: summary.outputs,
    outputProducers: summary.outputs.map((name) => values.get(name)?.producer ?? -1),
  };
}

/** Ops that read only a tensor's shape, whatever its element type. */
const SHAPE_READERS = new Set(['Shape', 'Size']);

/**
 * Nodes the view folds away: the engine's `foldable` ones, plus what is computed from weights and shapes
 * alone (an Identity of an initializer, a Mul of two Constants, a Shape of an activation): boxes that carry
 * no activation and so never sit on a precision boundary a user would act on.
 */
export function foldedNodes(summary: ModelSummary, values: Map<string, ValueSummary>): Uint8Array {
  const folded = new Uint8Array(summary.nodes.length);
  // Values that depend on no graph input's contents: weights, Constants, shapes and what is computed
  // from them only.
  const staticNode = new Uint8Array(summary.nodes.length);
  const graphInputs = new Set(summary.inputs);
  const isStatic = (name: string): boolean => {
    if (!name) return true;
    const value = values.get(name);
    if (!value) return false;
    if (value.producer >= 0) return staticNode[value.producer] === 1;
    return value.isInitializer && !graphInputs.has(name);
  };
  // Node order is topological, so one pass sees producers first; a second catches any stragglers.
  for (let pass = 0; pass < 2; pass++) {
    summary.nodes.forEach((node, index) => {
      if (!staticNode[index] && (SHAPE_READERS.has(node.opType) || node.inputs.every(isStatic))) staticNode[index] = 1;
      if (node.foldable || staticNode[index]) folded[index] = 1;
    });
  }
  return folded;
}
