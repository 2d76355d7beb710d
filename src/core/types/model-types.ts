// Element types of an indexed model (ir.ts), looked up the way the planner asks: by IrGraph and name, with
// enclosing scopes visible. A thin layer over infer.ts, which works on the plain GraphProto objects that
// the IrGraphs share.
import type { IrGraph, IrModel } from '../ir';
import { elementTypeIn, inferElementTypes, type ElementTypes } from './infer';
import type { ValueTypes } from './value-types';

export interface ModelTypes {
  /** The full inference result: per-graph maps, disagreements with declared types, untyped nodes. */
  readonly result: ElementTypes;
  /** Type code of `name` as seen from `graph` (its own values, then enclosing graphs'); undefined when unknown. */
  elemType(graph: IrGraph, name: string): number | undefined;
  /** The main graph's types by its value ids (0: unknown), as elemType(model.main, name) answers. Do not mutate. */
  readonly mainTypesById: Int32Array;
}

export function inferModelTypes(model: IrModel): ModelTypes {
  // the IR has ordered every graph already (originalIndex is topologicalOrder of its nodes)
  const orders = new Map(model.graphs.map((g) => [g.proto, g.originalIndex] as const));
  const { main } = model;
  const ids = { valueId: main.valueId, order: main.originalIndex, outputIds: main.outputIds, outputStart: main.outputStart, inputIds: main.inputIds, inputStart: main.inputStart };
  const result = inferElementTypes(main.proto, model.opsets, undefined, orders, ids);
  const mainTypes = result.graphs.get(main.proto) as ValueTypes;
  // the main graph has no enclosing scope (and no outer types here): its own types answer directly
  return {
    result,
    mainTypesById: mainTypes.byId!,
    elemType: (graph, name) => (graph.parent ? elementTypeIn(result, graph.proto, name) : mainTypes.get(name)),
  };
}
