// The skeleton both rewrites share, the real one (apply-plan.ts) and the fp16-simulated one (simulate.ts):
// new nodes anchored after the node that produces their input (or at the top of the graph for a graph
// input or a value tied in by control flow), graphs rewritten bottom-up so a parent embeds its rewritten
// bodies, and the graph that defines a name seen from a nested body.
import type { IrGraph } from '../ir';
import type { AttributeProto, GraphProto, NodeProto } from '../onnx/proto-types';

/** Where a value's new nodes go: after its producing node in the value's own graph, else at the top. */
export function anchorOf(producer: { graph: IrGraph; node: number }, valueGraph: IrGraph): number | 'input' {
  return producer.node >= 0 && producer.graph === valueGraph ? producer.node : 'input';
}

/** New nodes per graph, after a node index or at the top ('input'). */
export class NodesAfter {
  // Keyed by a number (graph id, then node index + 1, 0 for 'input'), not a `${graph}:${anchor}` string:
  // the rewrite looks up every node of every graph, and a string per lookup was garbage on 44k nodes.
  private readonly lists = new Map<number, NodeProto[]>();

  private static key(graph: IrGraph, anchor: number | 'input'): number {
    return graph.id * 0x100000000 + (anchor === 'input' ? 0 : anchor + 1);
  }

  add(graph: IrGraph, anchor: number | 'input', ...nodes: NodeProto[]): void {
    const key = NodesAfter.key(graph, anchor);
    const list = this.lists.get(key);
    if (list) list.push(...nodes);
    else this.lists.set(key, [...nodes]);
  }

  at(graph: IrGraph, anchor: number | 'input'): readonly NodeProto[] {
    return this.lists.size ? this.lists.get(NodesAfter.key(graph, anchor)) ?? NONE : NONE;
  }
}

const NONE: readonly NodeProto[] = [];

/** A node's graph attribute with its bodies replaced by their rewritten graphs (already made: bottom-up). */
export function replaceBodies(attr: AttributeProto, bodies: { attribute: string; graph: IrGraph }[], rewritten: Map<IrGraph, GraphProto>): AttributeProto {
  const mine = bodies.filter((b) => b.attribute === (attr.name ?? ''));
  if (!mine.length) return attr;
  if (attr.g) return { ...attr, g: rewritten.get(mine[0].graph) ?? attr.g };
  return { ...attr, graphs: mine.map((b) => rewritten.get(b.graph)!) };
}

/** The graph, from `graph` outwards, that defines `name` (produces it, takes it as input or stores it). */
export function definingGraph(graph: IrGraph, name: string): IrGraph | undefined {
  for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) {
    if (g.valueId.has(name)) return g; // its producer, graph inputs and initializers
  }
  return undefined;
}
