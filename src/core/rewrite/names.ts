// Fresh, unique names for the values and nodes a rewrite adds: never collide with a name already in the
// model (any graph), and are deterministic for the same model and plan.
import type { GraphProto, ModelProto } from '../onnx/proto-types';

export class NameAllocator {
  /** Every name of the model, collected on the first fresh() call: a convert that adds no name never walks them. */
  private taken?: Set<string>;

  constructor(private readonly model: ModelProto) {}

  private collect(): Set<string> {
    const taken = new Set<string>();
    const visit = (graph: GraphProto | undefined) => {
      if (!graph) return;
      // plain loops, no spread copies: this runs over every name of a 44k-node model
      for (const list of [graph.input, graph.output, graph.valueInfo]) for (const v of list ?? []) taken.add(v.name ?? '');
      for (const t of graph.initializer ?? []) taken.add(t.name ?? '');
      for (const node of graph.node ?? []) {
        taken.add(node.name ?? '');
        for (const name of node.input ?? []) taken.add(name);
        for (const name of node.output ?? []) taken.add(name);
        for (const attr of node.attribute ?? []) {
          visit(attr.g);
          for (const g of attr.graphs ?? []) visit(g);
        }
      }
    };
    visit(this.model.graph);
    return taken;
  }

  /** `base` itself when free, else base_2, base_3, ... */
  fresh(base: string): string {
    const taken = (this.taken ??= this.collect());
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  }
}
