// The ModelSummary reduced to what the layout worker needs: names, op types, fold flags and edges.

import type { ModelSummary, ValueSummary } from '../core/index';
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
    // Body nodes are filed under their If/Loop/Scan's body scope (NodeSummary.path), so bodies open like scopes.
    names: summary.nodes.map((node) => node.path),
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

/** Nodes the view folds away: the engine decides (NodeSummary.foldable: weights, shapes, int computations). */
function foldedNodes(summary: ModelSummary, _values: Map<string, ValueSummary>): Uint8Array {
  return Uint8Array.from(summary.nodes, (node) => (node.foldable ? 1 : 0));
}
