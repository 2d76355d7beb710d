// Node order for element-type inference. Inference must see every producer before its consumers, but a
// GraphProto's node list need not be sorted, and a node with a body graph also depends on the outer values
// that body reads. Models are nearly always sorted already, so that case costs one linear check.
import type { GraphProto, NodeProto } from '../onnx/proto-types';

const freeNamesCache = new WeakMap<GraphProto, ReadonlySet<string>>();

/** Graph-valued attributes of a node (If's branches, Loop's and Scan's body, ...). */
export function nodeSubgraphs(node: NodeProto): GraphProto[] {
  const graphs: GraphProto[] = [];
  for (const a of node.attribute ?? []) {
    if (a.g) graphs.push(a.g);
    for (const g of a.graphs ?? []) graphs.push(g);
  }
  return graphs;
}

/** Names a graph (or any graph nested in it) reads but does not define: the values it captures from outside. */
export function freeNames(graph: GraphProto): ReadonlySet<string> {
  let free = freeNamesCache.get(graph);
  if (free) return free;
  const defined = new Set<string>();
  for (const v of graph.input ?? []) if (v.name) defined.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) defined.add(t.name);
  for (const s of graph.sparseInitializer ?? []) {
    const name = (s as { values?: { name?: string } }).values?.name;
    if (name) defined.add(name);
  }
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) defined.add(o);
  const reads = new Set<string>();
  for (const n of graph.node ?? []) {
    for (const i of n.input ?? []) if (i) reads.add(i);
    for (const g of nodeSubgraphs(n)) for (const name of freeNames(g)) reads.add(name);
  }
  for (const o of graph.output ?? []) if (o.name) reads.add(o.name);
  free = new Set([...reads].filter((name) => !defined.has(name)));
  freeNamesCache.set(graph, free);
  return free;
}

/** Every value a node reads: its inputs and the outer values its body graphs capture. */
function nodeReads(node: NodeProto): string[] {
  const reads = (node.input ?? []).filter((i) => i);
  for (const g of nodeSubgraphs(node)) reads.push(...freeNames(g));
  return reads;
}

/**
 * Indices of graph.node in an order where producers come first: the file's order when it already is one,
 * otherwise Kahn's algorithm (ties in file order); nodes on a cycle come last, in file order.
 */
export function topologicalOrder(graph: GraphProto): number[] {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) if (o) producer.set(o, i);
  });
  const deps = nodes.map((n, i) => {
    const d = new Set<number>();
    for (const name of nodeReads(n)) {
      const p = producer.get(name);
      if (p !== undefined && p !== i) d.add(p);
    }
    return d;
  });
  if (deps.every((d, i) => [...d].every((p) => p < i))) return nodes.map((_, i) => i);

  const consumers: number[][] = nodes.map(() => []);
  const pending = deps.map((d) => d.size);
  deps.forEach((d, i) => d.forEach((p) => consumers[p].push(i)));
  const order: number[] = [];
  const placed = new Uint8Array(nodes.length);
  const queue = pending.flatMap((count, i) => (count === 0 ? [i] : []));
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    order.push(i);
    placed[i] = 1;
    for (const c of consumers[i]) if (--pending[c] === 0) queue.push(c);
  }
  nodes.forEach((_, i) => {
    if (!placed[i]) order.push(i);
  });
  return order;
}
