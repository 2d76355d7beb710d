// Element-type inference over a whole graph and every graph nested in it (docs/design/engine.md, "Element types").
// Graph inputs, initializers and value_info are seeds; each node's outputs follow from its schema
// (node-output-types.ts). Declared types only fill what the spec leaves open; where the spec decides and the
// model declares something else, the spec wins and the mismatch is recorded, never thrown. Ops the engine
// cannot type (unknown standard ops, custom domains) are opaque: their outputs keep their declared types.
//
// Result shape: one Map<value name, type code> per graph object (the graph passed in and every body graph
// at any depth), each holding the values that graph defines (inputs, initializers, node outputs); values a
// body reads from enclosing graphs are found through `parents` (see elementTypeIn). Type codes are
// type-codes.ts numbers: ONNX DataType for tensors, negative for sequences, optionals and maps.
import type { GraphProto, NodeProto } from '../onnx/proto-types';
import { hasGraphAttribute, topologicalOrder, nodeSubgraphs } from '../graph-order';
import { nodeOutputTypes, type NodeTypingContext } from './node-output-types';
import { isSchemaDomain, lookupSchema, type OpSchema } from './schema';
import { typeProtoCode } from './type-codes';
import { normalizeDomain } from '../onnx/domain';
import { ValueTypes } from './value-types';

export interface TypeDisagreement {
  graph: GraphProto;
  value: string;
  /** Type in value_info, the graph's input/output list or an initializer. */
  declared: number;
  /** Type the spec gives it (kept). */
  inferred: number;
}

export interface UntypedNode {
  graph: GraphProto;
  node: NodeProto;
  /** 'unknown-op': a domain the schema table knows but not this op (at this opset); 'custom-domain': any other domain. */
  reason: 'unknown-op' | 'custom-domain';
}

export interface ElementTypes {
  /** Types of the values the top graph defines (the same map as graphs.get(top graph)). */
  readonly main: ReadonlyMap<string, number>;
  /** Per graph object, top graph and every body graph: the values that graph defines. */
  readonly graphs: ReadonlyMap<GraphProto, ReadonlyMap<string, number>>;
  /** Enclosing graph of each body graph. */
  readonly parents: ReadonlyMap<GraphProto, GraphProto>;
  /** Types from enclosing scopes of the top graph, as passed to inferElementTypes. */
  readonly outer?: ReadonlyMap<string, number>;
  readonly disagreements: readonly TypeDisagreement[];
  readonly untyped: readonly UntypedNode[];
}

/** Type of `name` as seen from `graph`: its own values, then each enclosing graph's, then `outer`. */
export function elementTypeIn(types: ElementTypes, graph: GraphProto, name: string): number | undefined {
  for (let g: GraphProto | undefined = graph; g; g = types.parents.get(g)) {
    const t = types.graphs.get(g)?.get(name);
    if (t !== undefined) return t;
  }
  return types.outer?.get(name);
}

/**
 * Infers the element type of every value of `graph` and of its body graphs. `opsets` maps each imported
 * domain ('' for ai.onnx) to its version; an op of a domain the model does not import is typed with the
 * newest schema. `outer` gives the types of values captured from enclosing scopes when `graph` is a body.
 * `orders` gives the node order of graphs whose order the caller already has (topologicalOrder of their
 * nodes): ordering a 44k-node graph again costs a map of every output and a lookup of every input.
 */
export function inferElementTypes(graph: GraphProto, opsets: ReadonlyMap<string, number>, outer?: ReadonlyMap<string, number>, orders?: GraphOrders, ids?: GraphValueIds): ElementTypes {
  const state: InferState = {
    opsets,
    orders,
    graphs: new Map(),
    parents: new Map(),
    disagreements: [],
    untyped: [],
    schemaCache: new Map(),
  };
  const main = inferGraph(state, graph, (name) => outer?.get(name), undefined, [], ids);
  return { main, graphs: state.graphs, parents: state.parents, outer, disagreements: state.disagreements, untyped: state.untyped };
}

/** Node order (topologicalOrder's result) of graphs already ordered by the caller. */
export type GraphOrders = ReadonlyMap<GraphProto, readonly number[]>;

/**
 * The IR's value ids of the top graph (ir.ts: valueId, outputIds, outputStart, originalIndex), given by a caller
 * that has them: its values' types are then kept by id (ValueTypes.byId) and node outputs set through
 * outputIds, not by hashing each name into a growing Map.
 */
export interface GraphValueIds {
  valueId: ReadonlyMap<string, number>;
  /** Node order: the k-th node typed is proto.node[order[k]], and its outputs' ids are outputIds[outputStart[k]...]. */
  order: readonly number[];
  outputIds: Int32Array;
  outputStart: Int32Array;
  /** Per input slot, like outputIds: the value's id, -1 for an omitted input or a value of an enclosing scope. */
  inputIds: Int32Array;
  inputStart: Int32Array;
}

interface InferState {
  opsets: ReadonlyMap<string, number>;
  orders: GraphOrders | undefined;
  graphs: Map<GraphProto, ValueTypes>;
  parents: Map<GraphProto, GraphProto>;
  disagreements: TypeDisagreement[];
  untyped: UntypedNode[];
  /** By domain as written (undefined for none), then op type: no "domain\0op" key string built per node. */
  schemaCache: Map<string | undefined, Map<string, OpSchema | null>>;
}

type Lookup = (name: string) => number | undefined;

function schemaFor(state: InferState, node: NodeProto): OpSchema | undefined {
  let byOp = state.schemaCache.get(node.domain);
  if (!byOp) state.schemaCache.set(node.domain, (byOp = new Map()));
  const opType = node.opType ?? '';
  let cached = byOp.get(opType);
  if (cached === undefined) {
    const domain = normalizeDomain(node.domain);
    const version = state.opsets.get(domain) ?? Number.MAX_SAFE_INTEGER;
    cached = lookupSchema(domain, opType, version) ?? null;
    byOp.set(opType, cached);
  }
  return cached ?? undefined;
}

/**
 * Types the values `graph` defines. `formalInputs` are the types a control-flow node passes to a body's
 * formal inputs (position by position); they win over the body's own declarations.
 */
function inferGraph(
  state: InferState,
  graph: GraphProto,
  outerLookup: Lookup,
  parent: GraphProto | undefined,
  formalInputs: readonly (number | undefined)[],
  ids?: GraphValueIds,
): ValueTypes {
  const own = new ValueTypes(ids?.valueId);
  state.graphs.set(graph, own);
  if (parent) state.parents.set(graph, parent);
  const disagree = (value: string, declared: number, inferred: number) => {
    if (declared !== inferred) state.disagreements.push({ graph, value, declared, inferred });
  };

  const declared = new ValueTypes(ids?.valueId);
  for (const list of [graph.valueInfo, graph.output]) {
    if (!list) continue;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      const t = typeProtoCode(v.type);
      if (v.name && t !== undefined && !declared.has(v.name)) declared.set(v.name, t);
    }
  }

  for (const init of graph.initializer ?? []) if (init.name && init.dataType) own.set(init.name, init.dataType);
  for (const sparse of graph.sparseInitializer ?? []) {
    const values = (sparse as { values?: { name?: string; dataType?: number } }).values;
    if (values?.name && values.dataType) own.set(values.name, values.dataType);
  }
  (graph.input ?? []).forEach((input, position) => {
    if (!input.name) return;
    const passed = formalInputs[position];
    const stated = typeProtoCode(input.type);
    const initializer = own.get(input.name);
    const type = passed ?? stated ?? initializer;
    if (type === undefined) return;
    if (stated !== undefined) disagree(input.name, stated, type);
    if (initializer !== undefined && initializer !== type) disagree(input.name, initializer, type);
    own.set(input.name, type);
  });

  const typeOf: Lookup = (name) => own.get(name) ?? outerLookup(name) ?? declared.get(name);
  const bodiesTyped = new Set<GraphProto>();
  let current = 0; // position in `order` of the node being typed (its slots in ids' flat lists)
  const ctx: NodeTypingContext = {
    typeOf: (name) => (name ? typeOf(name) : undefined),
    inputType: (position, name) => {
      const id = ids ? ids.inputIds[ids.inputStart[current] + position] : -1;
      // the same order of sources as typeOf: own values, enclosing scopes, declarations
      return id >= 0 ? own.getAt(id, name) ?? outerLookup(name) ?? declared.getAt(id, name) : typeOf(name);
    },
    inferBody: (body, ins) => {
      bodiesTyped.add(body);
      const types = inferGraph(state, body, typeOf, graph, ins);
      return (body.output ?? []).map((o) => (o.name ? types.get(o.name) ?? typeOf(o.name) : undefined));
    },
  };

  const nodes = graph.node ?? [];
  // this graph's own lists: a body typed from inside nodeOutputTypes has its own
  const types: (number | undefined)[] = [];
  const certainty: boolean[] = [];
  const order = ids?.order ?? state.orders?.get(graph) ?? topologicalOrder(nodes);
  // indexed, not for-of: an iterator result per node before the JIT optimizes the loop
  for (let k = 0; k < order.length; k++) {
    const node = nodes[order[k]];
    current = k;
    const schema = schemaFor(state, node);
    const outputs = node.output ?? [];
    const firstId = ids ? ids.outputStart[k] : -1;
    if (!schema) {
      state.untyped.push({ graph, node, reason: isSchemaDomain(node.domain) ? 'unknown-op' : 'custom-domain' });
      for (let position = 0; position < outputs.length; position++) {
        const name = outputs[position];
        const id = ids ? ids.outputIds[firstId + position] : -1;
        const t = name ? declared.getAt(id, name) : undefined;
        if (t !== undefined) own.setAt(id, name, t);
      }
    } else {
      const count = nodeOutputTypes(node, schema, ctx, types, certainty);
      for (let position = 0; position < count; position++) {
        const type = types[position];
        const certain = certainty[position];
        const name = outputs[position];
        if (!name) continue;
        const id = ids ? ids.outputIds[firstId + position] : -1;
        const stated = declared.getAt(id, name);
        const chosen = certain ? type ?? stated : stated ?? type;
        if (chosen === undefined) continue;
        if (stated !== undefined) disagree(name, stated, chosen);
        own.setAt(id, name, chosen);
      }
    }
    // Bodies no rule walked (opaque ops, unknown control flow) are still typed from their own declarations;
    // asked first because nodeSubgraphs makes an array per call (26k of a 44k-node graph's nodes have attributes)
    if (hasGraphAttribute(node)) {
      for (const body of nodeSubgraphs(node)) {
        if (!bodiesTyped.has(body)) ctx.inferBody(body, []);
      }
    }
  }
  return own;
}
