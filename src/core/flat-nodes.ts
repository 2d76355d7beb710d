// One index space for the nodes of every graph of a model: the main graph's nodes first (so a main-graph
// node keeps its index), then each If/Loop/Scan body's nodes in the IR's graph order. Summaries, plan
// reports and the graph view address body nodes through it, so a body node can be drawn, searched,
// coloured and blocked like any other.
import type { IrGraph, IrModel } from './ir';

export interface FlatNodes {
  /** Per graph id, the flat index of its first node. */
  offset: Int32Array;
  total: number;
  /** Per flat index: graph id and node index within that graph. */
  graphOf: Int32Array;
  localOf: Int32Array;
}

const cache = new WeakMap<IrModel, FlatNodes>();

export function flatNodes(model: IrModel): FlatNodes {
  let flat = cache.get(model);
  if (flat) return flat;
  const offset = new Int32Array(model.graphs.length);
  let total = 0;
  for (const graph of model.graphs) {
    offset[graph.id] = total;
    total += graph.nodes.length;
  }
  const graphOf = new Int32Array(total);
  const localOf = new Int32Array(total);
  for (const graph of model.graphs) {
    graph.nodes.forEach((_, n) => {
      graphOf[offset[graph.id] + n] = graph.id;
      localOf[offset[graph.id] + n] = n;
    });
  }
  flat = { offset, total, graphOf, localOf };
  cache.set(model, flat);
  return flat;
}

export function flatIndex(flat: FlatNodes, graph: IrGraph, node: number): number {
  return flat.offset[graph.id] + node;
}

/** The flat index of the If/Loop/Scan node a body belongs to; -1 for the main graph. */
export function parentNodeIndex(flat: FlatNodes, graph: IrGraph): number {
  return graph.parent ? flatIndex(flat, graph.parent.graph, graph.parent.node) : -1;
}

/**
 * The scope path the graph view files a node under: a body node lives in a scope named after its
 * control-flow node and attribute ("/If_0⟨then_branch⟩/"), inside whatever scope that node lives in, so
 * bodies open like name scopes. Main-graph nodes keep their own names.
 */
export function scopePath(graph: IrGraph, nodeName: string): string {
  if (!graph.parent) return nodeName;
  return `${bodyScope(graph)}${nodeName.startsWith('/') ? nodeName.slice(1) : nodeName}`;
}

/** The scope id of a body: its control-flow node's path, then the attribute in angle brackets. */
export function bodyScope(graph: IrGraph): string {
  const parent = graph.parent!;
  const owner = parent.graph.nodes[parent.node];
  const ownerPath = scopePath(parent.graph, owner.name || `${owner.opType}#${parent.node}`);
  const attribute = parent.graph.subgraphs.get(parent.node)?.find((b) => b.graph === graph)?.attribute ?? 'body';
  return `${ownerPath.startsWith('/') ? '' : '/'}${ownerPath}${BODY_OPEN}${attribute}${BODY_CLOSE}/`;
}

const BODY_OPEN = '⟨';
export const BODY_CLOSE = '⟩';

/** Whether a scope id names an If/Loop/Scan body rather than a name prefix of the model's nodes. */
export function isBodyScope(scopeId: string): boolean {
  return scopeId.includes(`${BODY_CLOSE}/`);
}
