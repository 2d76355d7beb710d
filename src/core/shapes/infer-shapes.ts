// Shape inference over a graph and the value_info it yields.
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

import { DataType, toNumber, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx/proto-types';
import { tensorBytes } from '../external-data';
import { attribute } from '../types/node-output-types';
import { inferElementTypes } from '../types/infer';
import { topologicalOrder } from '../graph-order';
import { isTensorType } from '../types/type-codes';
import { mergeDim, ShapeError, type Dim, type Shape } from './dims';
import { inferOpShapes, type ShapeContext } from './op-shapes';
import { normalizeDomain } from '../onnx/domain';
import { propagateValues, type PropagationInputs } from './data-propagation';
import { encodeMessage, encodeRepeatedField, encodeTensorValueInfos, withEncodedFields, type TensorValueInfo } from '../serde';

/** Constant integer tensors longer than this are not read (shape arguments are short). */
const MAX_CONSTANT_ELEMENTS = 1024;

export interface GraphShapes {
  /** Shape of every value whose rank is known (node outputs after naming unknown dims). */
  shapes: Map<string, Dim[]>;
  /** Nodes whose inputs contradicted onnx's rules (their outputs get no shape). */
  inconsistent: string[];
}

function declaredShape(vi: ValueInfoProto): Shape {
  const shape = vi.type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null ? toNumber(d.dimValue) : d.dimParam || undefined));
}

/** Integer values of a small INT64/INT32 tensor, or undefined. */
export function intValues(t: TensorProto): number[] | undefined {
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_CONSTANT_ELEMENTS) return undefined;
  if (t.dataType === DataType.INT64) {
    if (t.int64Data?.length) return t.int64Data.map(toNumber);
    const b = tensorBytes(t);
    if (!b || b.byteLength !== count * 8) return count === 0 ? [] : undefined;
    // Two 32-bit halves, not getBigInt64 (a BigInt per element, and ~16k Constant scalars per large model):
    // hi * 2^32 is exact and adding the unsigned low half rounds once, as Number(bigint) does.
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const values: number[] = new Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getInt32(i * 8 + 4, true) * 4294967296 + view.getUint32(i * 8, true);
    return values;
  }
  if (t.dataType === DataType.INT32) {
    if (t.int32Data?.length) return [...t.int32Data];
    const b = tensorBytes(t);
    if (!b || b.byteLength !== count * 4) return count === 0 ? [] : undefined;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const values: number[] = new Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getInt32(i * 4, true);
    return values;
  }
  return undefined;
}

/** Integer constants (initializers, Constant outputs), parsed only when an op asks for one. */
class IntConstants {
  private readonly sources = new Map<string, TensorProto | number[]>();
  private readonly parsed = new Map<string, number[] | undefined>();
  add(name: string, source: TensorProto | number[]): void {
    this.sources.set(name, source);
  }
  get(name: string): number[] | undefined {
    if (this.parsed.has(name)) return this.parsed.get(name);
    const source = this.sources.get(name);
    const values = source === undefined || Array.isArray(source) ? source : intValues(source);
    this.parsed.set(name, values);
    return values;
  }
}

/** Values of a small FLOAT tensor (Resize scales), or undefined. */
function floatValues(t: TensorProto): number[] | undefined {
  if (t.dataType !== DataType.FLOAT) return undefined;
  const count = (t.dims ?? []).map(toNumber).reduce((a, b) => a * b, 1);
  if (count > MAX_CONSTANT_ELEMENTS) return undefined;
  if (t.floatData?.length) return [...t.floatData];
  const b = tensorBytes(t);
  if (!b || b.byteLength !== count * 4) return count === 0 ? [] : undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
}

const isIntTensor = (t: TensorProto) => t.dataType === DataType.INT64 || t.dataType === DataType.INT32;

/** Fresh names for unknown dims, like onnx's symbol table: unk__N, skipping names the graph already uses. */
class SymbolTable {
  private next = 0;
  constructor(private readonly taken: Set<string>) {}
  fresh(): string {
    let name: string;
    do name = `unk__${this.next++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return name;
  }
}

/** The shape with each unknown dim given a fresh name; a fresh array (no closure) only when one is unknown. */
function named(shape: Shape & object, table: SymbolTable): Dim[] {
  let out: Dim[] | undefined;
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] !== undefined) continue;
    out ??= shape.slice();
    out[k] = table.fresh();
  }
  return out ?? shape.slice();
}

function isDefaultDomain(domain: string | undefined): boolean {
  return normalizeDomain(domain) === '';
}

export interface InferOptions {
  /**
   * Sizes for the graph inputs' symbolic dims. When given, those dims are taken as these values and the
   * integer tensors that shape arguments are computed from are followed (data-propagation.ts), so a
   * Reshape or Expand of a computed shape gets known dims: sizes for the bytes objective, not value_info.
   */
  bind?: Readonly<Record<string, number>>;
}

/**
 * Infers the shapes of the main graph's values (bodies of If/Loop/Scan are not entered). `order` is
 * topologicalOrder of its nodes when the caller has it.
 */
export function inferGraphShapes(graph: GraphProto, opsets: ReadonlyMap<string, number>, order?: readonly number[], options: InferOptions = {}): GraphShapes {
  const bind = options.bind;
  const opset = opsets.get('') ?? opsets.get('ai.onnx') ?? 1;
  const shapes = new Map<string, Dim[]>();
  const declared = new Map<string, Dim[]>();
  const symbols = new Set<string>();
  const constants = new IntConstants();
  // float constants are only read by Resize/Upsample for their scales: kept as sources, parsed on demand
  const floats = new Map<string, TensorProto>();
  const inconsistent: string[] = [];

  for (const vi of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const s = declaredShape(vi);
    if (!s || !vi.name) continue;
    for (const d of s) if (typeof d === 'string') symbols.add(d);
    if (!declared.has(vi.name)) declared.set(vi.name, s);
  }
  for (const vi of graph.input ?? []) {
    const s = vi.name ? declared.get(vi.name) : undefined;
    if (s) shapes.set(vi.name!, bind ? s.map((d) => (typeof d === 'string' && bind[d] !== undefined ? bind[d] : d)) : s);
  }
  for (const t of graph.initializer ?? []) {
    if (!t.name) continue;
    shapes.set(t.name, (t.dims ?? []).map(toNumber));
    if (isIntTensor(t)) constants.add(t.name, t);
    else if (t.dataType === DataType.FLOAT) floats.set(t.name, t);
  }
  const table = new SymbolTable(symbols);
  const nodes = graph.node ?? [];
  const context = new NodeShapeContext(opset, shapes, constants, floats);

  const sequence = order ?? topologicalOrder(nodes);
  // indexed, not for-of: an iterator result per node before the JIT optimizes the loop
  for (let k = 0; k < sequence.length; k++) {
    const node = nodes[sequence[k]];
    const outputs = node.output ?? [];
    let inferred: Shape[] = [];
    const defaultDomain = isDefaultDomain(node.domain);
    if (defaultDomain) {
      try {
        // a third of a transformer graph's nodes are Constants: their rule without inferOpShapes' dispatch
        inferred = node.opType === 'Constant' ? [context.at(node).constantValueDims()] : inferOpShapes(context.at(node));
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e;
        inconsistent.push(node.name || outputs[0] || node.opType || '?');
        inferred = [];
      }
    }
    if (bind && !inferred.length) inferred = sameShapeFusedOutputs(node, context);
    for (let i = 0; i < outputs.length; i++) {
      const name = outputs[i];
      if (!name) continue;
      let shape = inferred[i];
      const existing = declared.get(name);
      if (existing) {
        if (shape && shape.length === existing.length) {
          try {
            shape = existing.map((d, k) => mergeDim(d, shape![k]));
          } catch {
            shape = existing;
          }
        } else {
          shape = existing;
        }
      }
      if (!shape) continue;
      shapes.set(name, named(shape, table));
    }
    if (bind && outputs[0] && defaultDomain) {
      const values = propagateValues(node, context);
      if (values) constants.add(outputs[0], values);
    }
    if (defaultDomain && node.opType === 'Constant' && outputs[0]) {
      // one walk over the attributes (a third of a transformer graph's nodes are Constants)
      let valueAttr: AttributeProto | undefined;
      let intsAttr: AttributeProto | undefined;
      let intAttr: AttributeProto | undefined;
      const attrs = node.attribute ?? [];
      for (let a = 0; a < attrs.length; a++) {
        const attr = attrs[a];
        if (attr.name === 'value') valueAttr ??= attr;
        else if (attr.name === 'value_ints') intsAttr ??= attr;
        else if (attr.name === 'value_int') intAttr ??= attr;
      }
      const t = valueAttr?.t;
      const ints = intsAttr?.ints;
      const int = intAttr?.i;
      if (t) {
        if (isIntTensor(t)) constants.add(outputs[0], t);
        else if (t.dataType === DataType.FLOAT) floats.set(outputs[0], t);
      } else if (ints) constants.add(outputs[0], ints.map(toNumber));
      else if (int !== undefined && int !== null) constants.add(outputs[0], [toNumber(int)]);
    }
  }
  return { shapes, inconsistent };
}

/**
 * onnxruntime's fused ops (its transformer optimizer's output) whose listed outputs have input 0's shape.
 * (onnxruntime's own registrations: contrib_ops/cpu/bert and skip_layer_norm's schema.)
 * Followed only for sizing (bind): the value_info Castaway writes keeps to onnx's rules, which do not know
 * these ops. Without them an optimizer-output graph ending in SkipLayerNormalization has an unsized output.
 */
const CONTRIB_SAME_SHAPE: Record<string, number[]> = {
  SkipLayerNormalization: [0, 3],
  SkipSimplifiedLayerNormalization: [0, 3],
  BiasGelu: [0],
  FastGelu: [0],
  QuickGelu: [0],
  Gelu: [0],
  SimplifiedLayerNormalization: [0],
  LayerNormalization: [0],
};

function sameShapeFusedOutputs(node: NodeProto, context: NodeShapeContext): Shape[] {
  const domain = normalizeDomain(node.domain);
  // onnxruntime also registers SimplifiedLayerNormalization in the ONNX domain, which onnx has no rule for
  const fused = domain === 'com.microsoft' || (domain === '' && node.opType === 'SimplifiedLayerNormalization');
  const slots = fused ? CONTRIB_SAME_SHAPE[node.opType ?? ''] : undefined;
  const x = slots?.length ? context.at(node).input(0) : undefined;
  if (!x) return [];
  const out: Shape[] = [];
  for (const k of slots!) out[k] = [...x];
  return out;
}

/**
 * The ShapeContext of the node being inferred: one object per graph, pointed at each node in turn (a
 * context of ten closures per node was ~440k closures on a 44k-node graph, a tenth of this pass).
 */
class NodeShapeContext implements ShapeContext, PropagationInputs {
  opType = '';
  inputCount = 0;
  outputCount = 0;
  private node: NodeProto = {};
  private inputs: string[] = [];

  constructor(
    readonly opset: number,
    private readonly shapes: Map<string, Dim[]>,
    private readonly constants: IntConstants,
    private readonly floats: Map<string, TensorProto>,
  ) {}

  at(node: NodeProto): this {
    this.node = node;
    this.inputs = node.input ?? [];
    this.opType = node.opType ?? '';
    this.inputCount = this.inputs.length;
    this.outputCount = (node.output ?? []).length;
    return this;
  }

  input(i: number): Shape {
    const name = this.inputs[i];
    return name ? this.shapes.get(name) : undefined;
  }

  hasInput(i: number): boolean {
    return Boolean(this.inputs[i]);
  }

  constant(i: number): number[] | undefined {
    const name = this.inputs[i];
    return name ? this.constants.get(name) : undefined;
  }

  attrInt(name: string): number | undefined {
    const a = attribute(this.node, name);
    return a && a.i !== undefined && a.i !== null ? toNumber(a.i) : undefined;
  }

  attrInts(name: string): number[] | undefined {
    return attribute(this.node, name)?.ints?.map(toNumber);
  }

  attrString(name: string): string | undefined {
    const a = attribute(this.node, name);
    return a?.s ? new TextDecoder().decode(a.s) : undefined;
  }

  constantFloats(i: number): number[] | undefined {
    const name = this.inputs[i];
    const t = name ? this.floats.get(name) : undefined;
    return t && floatValues(t);
  }

  // PropagationInputs: the current node's inputs as data propagation reads them
  values(i: number): number[] | undefined {
    return this.constant(i);
  }

  shape(i: number): Shape {
    return this.input(i);
  }

  tensorValue(): number[] | undefined {
    const t = attribute(this.node, 'value')?.t;
    return t && isIntTensor(t) ? intValues(t) : undefined;
  }

  constantValueDims(): number[] | undefined {
    const node = this.node;
    const t = attribute(node, 'value')?.t;
    if (t) return (t.dims ?? []).map(toNumber);
    if (attribute(node, 'value_float') || attribute(node, 'value_int') || attribute(node, 'value_string')) return [];
    const list = attribute(node, 'value_floats')?.floats ?? attribute(node, 'value_ints')?.ints ?? attribute(node, 'value_strings')?.strings;
    return list ? [list.length] : undefined;
  }
}

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
  for (const { name, elemType, shape } of added) {
    valueInfo.push({ name, type: { tensorType: shape ? { elemType, shape: toValueInfoShape(shape) } : { elemType } } });
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
  if (added.length) fields.push(encodeTensorValueInfos(added));
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
   * second inference pass over a graph that differs from the planned one only by its plan.
   */
  elemType?: (name: string) => number | undefined;
  /**
   * Each node output name of the main graph is written by one node only (the rewrite's graphs: the IR
   * refuses any other), so no set of the names already added is kept (44k insertions on a 44k-node graph).
   */
  uniqueOutputs?: boolean;
}

/** GraphProto.value_info's field number. */
const VALUE_INFO_FIELD = 13;

/**
 * The value_info withInferredValueInfo writes: the graph's own entries (`kept`, an inferred shape added to
 * those without one) and one per value a node computes that is neither a graph output nor declared
 * (`added`, in node order).
 */
function inferValueInfo(model: ModelProto, graph: GraphProto, options: ValueInfoOptions): { kept: ValueInfoProto[]; added: TensorValueInfo[] } {
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(o.domain ?? '', toNumber(o.version ?? 0));
  // once for both passes
  const order = options.sorted ? (graph.node ?? []).map((_, i) => i) : topologicalOrder(graph.node ?? []);
  const { shapes } = inferGraphShapes(graph, opsets, order);
  // the main graph's own values: no enclosing scope to search
  const elemTypeOf = options.elemType ?? mapGetter(inferElementTypes(graph, opsets, undefined, new Map([[graph, order]])).main);
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const existing = new Set((graph.valueInfo ?? []).map((v) => v.name ?? ''));
  const kept: ValueInfoProto[] = (graph.valueInfo ?? []).map((vi) => {
    const s = vi.name ? shapes.get(vi.name) : undefined;
    if (!s || vi.type?.tensorType?.shape || vi.type?.tensorType === undefined) return vi;
    return { ...vi, type: { ...vi.type, tensorType: { ...vi.type.tensorType, shape: toValueInfoShape(s) } } };
  });
  const added: TensorValueInfo[] = [];
  const nodes = graph.node ?? [];
  for (let n = 0; n < nodes.length; n++) {
    const names = nodes[n].output ?? [];
    for (let k = 0; k < names.length; k++) {
      const name = names[k];
      if (!name || outputs.has(name) || existing.has(name)) continue;
      const elemType = elemTypeOf(name);
      if (!isTensorType(elemType) || elemType === DataType.UNDEFINED) continue;
      added.push({ name, elemType, shape: shapes.get(name) });
      if (!options.uniqueOutputs) existing.add(name);
    }
  }
  return { kept, added };
}

function mapGetter(map: ReadonlyMap<string, number>): (name: string) => number | undefined {
  return (name) => map.get(name);
}
