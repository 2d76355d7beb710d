// Element types of an indexed model (ir.ts), looked up the way the planner asks: by IrGraph and name, with
// enclosing scopes visible. A thin layer over infer.ts, which works on the plain GraphProto objects that
// the IrGraphs share.
import type { IrGraph, IrModel } from '../ir';
import { elementTypeIn, inferElementTypes, type ElementTypes } from './infer';

export interface ModelTypes {
  /** The full inference result: per-graph maps, disagreements with declared types, untyped nodes. */
  readonly result: ElementTypes;
  /** Type code of `name` as seen from `graph` (its own values, then enclosing graphs'); undefined when unknown. */
  elemType(graph: IrGraph, name: string): number | undefined;
}

export function inferModelTypes(model: IrModel): ModelTypes {
  // the IR has ordered every graph already (originalIndex is topologicalOrder of its nodes)
  const orders = new Map(model.graphs.map((g) => [g.proto, g.originalIndex] as const));
  const result = inferElementTypes(model.main.proto, model.opsets, undefined, orders);
  // the main graph has no enclosing scope (and no outer types here): its own map answers directly
  return { result, elemType: (graph, name) => (graph.parent ? elementTypeIn(result, graph.proto, name) : result.main.get(name)) };
}
