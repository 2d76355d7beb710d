// A map keyed by (graph, value name) without building "graph:name" strings on hot paths.
import type { IrGraph } from '../ir';

export class GraphKeyed<T> {
  private readonly maps: Map<string, T>[] = [];

  get(graph: IrGraph, name: string): T | undefined {
    return this.maps[graph.id]?.get(name);
  }

  has(graph: IrGraph, name: string): boolean {
    return this.maps[graph.id]?.has(name) ?? false;
  }

  set(graph: IrGraph, name: string, value: T): void {
    (this.maps[graph.id] ??= new Map()).set(name, value);
  }

  *values(): IterableIterator<T> {
    for (const map of this.maps) if (map) yield* map.values();
  }
}
