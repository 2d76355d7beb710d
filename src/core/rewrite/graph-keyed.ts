// A map keyed by (graph, value) without a Map of names per graph: values are the graph's own value ids
// (ir.ts), so an entry is an array slot, and the hot paths that already hold an id (a node's input or
// output slot) skip the name entirely. Keys must be values the graph defines (initializers, Constant
// outputs, node outputs, graph inputs); a name the graph does not define reads as absent, and setting one
// throws, since it would be silently lost.
import type { IrGraph } from '../ir';

interface PerGraph<T> {
  slots: (T | undefined)[];
  /** Ids in the order they were first set: values() keeps a Map's insertion order (fresh names depend on it). */
  order: number[];
}

export class GraphKeyed<T> {
  private readonly graphs: PerGraph<T>[] = [];

  get(graph: IrGraph, name: string): T | undefined {
    const id = graph.valueId.get(name);
    return id === undefined ? undefined : this.getAt(graph, id);
  }

  /** By value id; undefined for -1 (no value). */
  getAt(graph: IrGraph, id: number): T | undefined {
    return id < 0 ? undefined : this.graphs[graph.id]?.slots[id];
  }

  has(graph: IrGraph, name: string): boolean {
    return this.get(graph, name) !== undefined;
  }

  set(graph: IrGraph, name: string, value: T): void {
    const id = graph.valueId.get(name);
    if (id === undefined) throw new Error(`GraphKeyed: "${name}" is not a value of graph ${graph.id}`);
    this.setAt(graph, id, value);
  }

  setAt(graph: IrGraph, id: number, value: T): void {
    const entry = (this.graphs[graph.id] ??= { slots: new Array<T | undefined>(graph.valueNames.length), order: [] });
    if (entry.slots[id] === undefined) entry.order.push(id);
    entry.slots[id] = value;
  }

  *values(): IterableIterator<T> {
    for (const entry of this.graphs) if (entry) for (const id of entry.order) yield entry.slots[id]!;
  }
}
