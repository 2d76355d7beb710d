// The value_info Castaway writes: element type and inferred shape (infer-shapes.ts) of every value a main-graph
// node computes.
//
// Why Castaway writes value_info: onnxruntime's graph optimizer matches several fusions on symbolic dims
// (SkipLayerNormalization, Reshape of a shape built from Concat, ...). With no value_info, onnxruntime only
// has what its own resolve infers, where every dim it cannot compute is anonymous; onnx's
// shape_inference.infer_shapes instead names each such dim (unk__0, unk__1, ...) and carries the names
// through the graph, so equal dims are seen as equal. onnxruntime's convert_float_to_float16 runs that
// inference before converting, and on Pegasus-large with the CUDA EP its model then runs 14 kernels fewer
// per decoder call than the same graph without value_info (docs/gpu-pegasus-large.md). This pass writes the
// same information: onnx's inference rules for the ops of these graphs (op-shapes.ts), onnx's naming of
// unknown dims, declared shapes merged the way onnx merges them.

import { DataType, toNumber, type GraphProto, type ModelProto, type ValueInfoProto } from '../onnx/proto-types';
import { inferElementTypes } from '../types/infer';
import { topologicalOrder } from '../graph-order';
import { isTensorType } from '../types/type-codes';
import { type Dim } from './dims';
import { shapePass, ValueIds, type KnownSlots } from './infer-shapes';
import { encodeMessage, encodeRepeatedField, encodeTensorValueInfos, withEncodedFields, type TensorValueInfos } from '../serde';

function toValueInfoShape(shape: readonly Dim[]) {
  return { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
}

/**
 * The model with value_info (element type and inferred shape) for every value of its main graph that a
 * node computes and that is not a graph output. Entries it already has are kept; one without a shape gets
 * the inferred shape. Values of unknown element type are left out.
 */
export function withInferredValueInfo(model: ModelProto, options: ValueInfoOptions = {}): ModelProto {
  const graph = model.graph;
  if (!graph) return model;
  const { kept, added } = inferValueInfo(model, graph, options);
  const valueInfo = kept;
  for (let i = 0; i < added.names.length; i++) {
    const elemType = added.elemTypes[i];
    const shape = added.shapes[i];
    valueInfo.push({ name: added.names[i], type: { tensorType: shape ? { elemType, shape: toValueInfoShape(shape) } : { elemType } } });
  }
  return { ...model, graph: { ...graph, valueInfo } };
}

/**
 * withInferredValueInfo's model with its value_info already encoded (serde encodeTensorValueInfos), as
 * fields written at value_info's place: the same file bytes, without an object per entry and per dim nor
 * the generic encoder's pass over them. For a model that is encoded next (convertModel), not inspected.
 */
export function withInferredValueInfoEncoded(model: ModelProto, options: ValueInfoOptions = {}): ModelProto {
  const graph = model.graph;
  if (!graph) return model;
  const { kept, added } = inferValueInfo(model, graph, options);
  const fields = kept.map((vi) => encodeRepeatedField(VALUE_INFO_FIELD, encodeMessage('ValueInfoProto', vi)));
  if (added.names.length) fields.push(encodeTensorValueInfos(added));
  return { ...model, graph: withEncodedFields({ ...graph, valueInfo: undefined }, fields) };
}

export interface ValueInfoOptions {
  /**
   * The caller knows the main graph's nodes are already in topological order (the rewrite writes them so),
   * which spares a map of every output and a lookup of every input.
   */
  sorted?: boolean;
  /**
   * Element type of each undeclared value a main-graph node writes, when the caller already knows it (the
   * rewrite: applyPlan's mainElemType) and it equals what element-type inference over this graph gives: no
   * second inference pass over a graph that differs from the planned one only by its plan. `id` is the
   * name's id in `valueIds`, -1 when it has none there; undefined without valueIds.
   */
  elemType?: (name: string, id?: number) => number | undefined;
  /**
   * Each node output name of the main graph is written by one node only (the rewrite's graphs: the IR
   * refuses any other), so no set of the names already added is kept (44k insertions on a 44k-node graph).
   */
  uniqueOutputs?: boolean;
  /**
   * Ids already given to most of the main graph's value names (the IR's valueId of the graph a rewrite
   * started from: each name one id below `count`) for the pass to key its shapes by, instead of inserting
   * every name into a table of its own. Names it lacks get ids of their own.
   */
  valueIds?: {
    ids: ReadonlyMap<string, number>;
    count: number;
    /** Nodes of the graph whose slots' ids are known already (a rewrite's nodes shared with the IR). */
    slots?: KnownSlots;
  };
}

/** GraphProto.value_info's field number. */
const VALUE_INFO_FIELD = 13;

/**
 * The value_info withInferredValueInfo writes: the graph's own entries (`kept`, an inferred shape added to
 * those without one) and one per value a node computes that is neither a graph output nor declared
 * (`added`, in node order).
 */
function inferValueInfo(model: ModelProto, graph: GraphProto, options: ValueInfoOptions): { kept: ValueInfoProto[]; added: TensorValueInfos } {
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(o.domain ?? '', toNumber(o.version ?? 0));
  const nodes = graph.node ?? [];
  // once for both passes (none for an already sorted graph whose element types the caller gives)
  const order = options.sorted ? undefined : topologicalOrder(nodes);
  const known = options.valueIds;
  const ids = new ValueIds(known?.ids, known?.count ?? 0, known?.slots);
  const knownCount = known?.count ?? 0;
  // in file order when sorted: then the ids of the node outputs come in the order read below
  const outputIds: number[] | undefined = order ? undefined : [];
  const { byId } = shapePass(graph, opsets, order ?? 'file', undefined, ids, outputIds);
  // the main graph's own values: no enclosing scope to search
  const elemTypeOf = options.elemType ?? mapGetter(inferElementTypes(graph, opsets, undefined, new Map([[graph, order ?? nodes.map((_, i) => i)]])).main);
  // graph outputs and declared values get no entry: flagged by id (a name no node writes has none)
  const skip = new Uint8Array(ids.size);
  for (const v of graph.output ?? []) {
    const id = ids.find(v.name ?? '');
    if (id >= 0) skip[id] = 1;
  }
  for (const v of graph.valueInfo ?? []) {
    const id = ids.find(v.name ?? '');
    if (id >= 0) skip[id] = 1;
  }
  const kept: ValueInfoProto[] = (graph.valueInfo ?? []).map((vi) => {
    const id = vi.name ? ids.find(vi.name) : -1;
    const s = id >= 0 ? byId[id] : undefined;
    if (!s || vi.type?.tensorType?.shape || vi.type?.tensorType === undefined) return vi;
    return { ...vi, type: { ...vi.type, tensorType: { ...vi.type.tensorType, shape: toValueInfoShape(s) } } };
  });
  const added: TensorValueInfos = { names: [], elemTypes: [], shapes: [] };
  let slot = 0;
  for (let n = 0; n < nodes.length; n++) {
    const names = nodes[n].output ?? [];
    for (let k = 0; k < names.length; k++) {
      const name = names[k];
      const id = outputIds ? outputIds[slot++] : name ? ids.find(name) : -1;
      if (id < 0 || skip[id]) continue;
      const elemType = elemTypeOf(name, known ? (id < knownCount ? id : -1) : undefined);
      if (!isTensorType(elemType) || elemType === DataType.UNDEFINED) continue;
      added.names.push(name);
      added.elemTypes.push(elemType);
      added.shapes.push(byId[id]);
      if (!options.uniqueOutputs) skip[id] = 1;
    }
  }
  return { kept, added };
}

function mapGetter(map: ReadonlyMap<string, number>): (name: string) => number | undefined {
  return (name) => map.get(name);
}
