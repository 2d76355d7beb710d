// Node order, one definition for the IR (ir.ts), element-type inference (types/) and shape inference
// (shapes/): every producer before its consumers. A GraphProto's node list need not be sorted, and a node
// with a body graph also depends on the outer values that body reads. Models are nearly always sorted
// already, so that case costs one linear check.
import type { GraphProto, NodeProto } from './onnx/proto-types';

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

/**
 * Whether any attribute of `node` holds a graph: nodeSubgraphs without the array, for the passes that ask it
 * of every node (indexed, no closure: most nodes have attributes, almost none a graph).
 */
export function hasGraphAttribute(node: NodeProto): boolean {
  const list = node.attribute;
  if (list) for (let i = 0; i < list.length; i++) if (list[i].g || list[i].graphs?.length) return true;
  return false;
}

/** Names a graph (or any graph nested in it) reads but does not define: the values it captures from outside. */
function freeNames(graph: GraphProto): ReadonlySet<string> {
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

export interface OrderOptions {
  /** Producer index of each value produced in this graph (built here when not given): a Map, or the IR's id table. */
  producedAt?: ProducedAt;
  /** Called when a node's input is its own output (the default treats it as no dependency). */
  onSelfRead?: (node: number, name: string) => never;
  /** Called with a node on a cycle; by default nodes on a cycle come last, in file order. */
  onCycle?: (node: number) => never;
}

/**
 * True when every node reads only values produced before it (no self-read): the common case, checked with
 * one map lookup per input and no allocation (the dependency lists below cost ~50 ms per pass on a
 * 44k-node graph, and the engine orders each graph three times).
 */
/** What the order needs of a value's producer: its node index, undefined when no node of the graph produces it. */
export interface ProducedAt {
  get(name: string): number | undefined;
}

function alreadySorted(nodes: readonly NodeProto[], producedAt: ProducedAt): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    // indexed, not for-of: this runs on every node of every graph ordered, mostly before the JIT optimizes it
    const reads = hasGraphAttribute(node) ? nodeReads(node) : node.input;
    if (!reads) continue;
    for (let k = 0; k < reads.length; k++) {
      const name = reads[k];
      const p = name ? producedAt.get(name) : undefined;
      if (p !== undefined && p >= i) return false;
    }
  }
  return true;
}

/**
 * Indices of `nodes` in an order where producers come first: the file's order when it already is one,
 * otherwise Kahn's algorithm with a min-heap on the file index, so the order stays as close to the file's as
 * the dependencies allow. Values from outer scopes, graph inputs and initializers are always ready.
 */
export function topologicalOrder(nodes: readonly NodeProto[], options: OrderOptions = {}): number[] {
  let producedAt = options.producedAt;
  if (!producedAt) {
    const map = new Map<string, number>();
    for (let i = 0; i < nodes.length; i++) {
      const outputs = nodes[i].output;
      if (outputs) for (let k = 0; k < outputs.length; k++) if (outputs[k]) map.set(outputs[k], i);
    }
    producedAt = map;
  }
  if (alreadySorted(nodes, producedAt)) return nodes.map((_, i) => i);
  const pending = new Int32Array(nodes.length);
  const dependents: number[][] = nodes.map(() => []);
  let sorted = true;
  // Nodes have a handful of inputs: a linear scan of this small list beats allocating a Set per node.
  const seen: number[] = [];
  nodes.forEach((node, i) => {
    seen.length = 0;
    const depend = (p: number) => {
      if (seen.includes(p)) return;
      seen.push(p);
      pending[i]++;
      dependents[p].push(i);
      if (p > i) sorted = false;
    };
    const hasBody = hasGraphAttribute(node);
    for (const name of hasBody ? nodeReads(node) : node.input ?? []) {
      const p = name ? producedAt.get(name) : undefined;
      if (p === undefined) continue;
      if (p === i) {
        if (!hasBody || node.input?.includes(name)) options.onSelfRead?.(i, name);
        continue;
      }
      depend(p);
    }
  });
  if (sorted) return nodes.map((_, i) => i);
  const order: number[] = [];
  const heap: number[] = [];
  const push = (x: number) => {
    heap.push(x);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p] <= heap[i]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  for (let i = 0; i < nodes.length; i++) if (pending[i] === 0) push(i);
  while (heap.length) {
    const i = pop();
    order.push(i);
    for (const d of dependents[i]) if (--pending[d] === 0) push(d);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.findIndex((_, i) => pending[i] > 0);
    options.onCycle?.(stuck);
    nodes.forEach((_, i) => {
      if (pending[i] > 0) order.push(i);
    });
  }
  return order;
}
