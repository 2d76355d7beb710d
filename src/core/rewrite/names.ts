// Fresh, unique names for the values and nodes a rewrite adds: never collide with a name already in the
// model (any graph), and are deterministic for the same model and plan.
import type { GraphProto, ModelProto } from '../onnx/proto-types';

export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(model: ModelProto) {
    const visit = (graph: GraphProto | undefined) => {
      if (!graph) return;
      // plain loops, no spread copies: this runs over every name of a 44k-node model on each convert
      for (const list of [graph.input, graph.output, graph.valueInfo]) for (const v of list ?? []) this.taken.add(v.name ?? '');
      for (const t of graph.initializer ?? []) this.taken.add(t.name ?? '');
      for (const node of graph.node ?? []) {
        this.taken.add(node.name ?? '');
        for (const name of node.input ?? []) this.taken.add(name);
        for (const name of node.output ?? []) this.taken.add(name);
        for (const attr of node.attribute ?? []) {
          visit(attr.g);
          for (const g of attr.graphs ?? []) visit(g);
        }
      }
    };
    visit(model.graph);
  }

  /** `base` itself when free, else base_2, base_3, ... */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}
