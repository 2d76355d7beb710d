// The element types of one graph's values during inference (infer.ts), by name for its callers. When the caller
// has the IR's value ids of the graph (the main graph of a convert), the types of values with an id live in an
// Int32Array indexed by id (0: unknown; no type code is 0): 44k insertions into a growing Map by name were most
// of inference's cost on a 44k-node graph, and the planner wants the types by id anyway. Without ids, a Map.
// The full Map view (iteration, size) is built on first use from the names in the order they were first set,
// so it equals the Map inference used to return.
export class ValueTypes implements ReadonlyMap<string, number> {
  /** Types by value id; undefined when the graph has no ids. Callers must not mutate it. */
  readonly byId: Int32Array | undefined;
  /** Values without an id (every value when there are no ids). */
  private readonly byName = new Map<string, number>();
  /** Names given a type by id, in the order first set (iteration order of the Map view). */
  private readonly idNames: string[] = [];
  private view: Map<string, number> | undefined;

  constructor(private readonly valueId?: ReadonlyMap<string, number>) {
    this.byId = valueId ? new Int32Array(valueId.size) : undefined;
  }

  get(name: string): number | undefined {
    if (this.byId) {
      const id = this.valueId!.get(name);
      if (id !== undefined) return this.byId[id] || undefined;
    }
    return this.byName.get(name);
  }

  /** Type of the value with id `id` (the IR's id of `name`), or by `name` when `id` is -1. */
  getAt(id: number, name: string): number | undefined {
    return id >= 0 && this.byId ? this.byId[id] || undefined : this.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, type: number): void {
    const id = this.byId ? this.valueId!.get(name) : undefined;
    this.setAt(id ?? -1, name, type);
  }

  /** Sets the type of the value `name`, whose IR id is `id` (-1: none). */
  setAt(id: number, name: string, type: number): void {
    this.view = undefined;
    if (id >= 0 && this.byId) {
      if (this.byId[id] === 0) this.idNames.push(name);
      this.byId[id] = type;
    } else this.byName.set(name, type);
  }

  private asMap(): Map<string, number> {
    if (!this.byId) return this.byName;
    if (this.view) return this.view;
    // names with and without ids interleave rarely (graph inputs the IR does not index); ids first is the
    // order of every graph the IR indexes fully
    const view = new Map<string, number>();
    for (const name of this.idNames) view.set(name, this.get(name)!);
    for (const [name, type] of this.byName) view.set(name, type);
    return (this.view = view);
  }

  get size(): number {
    return this.asMap().size;
  }
  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    this.asMap().forEach((value, key) => callback.call(thisArg, value, key, this));
  }
  entries(): MapIterator<[string, number]> {
    return this.asMap().entries();
  }
  keys(): MapIterator<string> {
    return this.asMap().keys();
  }
  values(): MapIterator<number> {
    return this.asMap().values();
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.asMap()[Symbol.iterator]();
  }
}
