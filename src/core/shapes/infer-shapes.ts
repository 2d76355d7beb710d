// Shape inference over a graph: onnx's inference rules for the ops of exported graphs (op-shapes.ts), onnx's
// naming of unknown dims (unk__0, unk__1, ...), declared shapes merged the way onnx merges them. value-info.ts
// writes the value_info this gives (and says why Castaway writes it); plan/value-sizes.ts sizes values with it.

import { DataType, toNumber, type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx/proto-types';
import { tensorBytes } from '../external-data';
import { attribute } from '../types/node-output-types';
import { topologicalOrder } from '../graph-order';
import { mergeDim, ShapeError, type Dim, type Shape } from './dims';
import { inferOpShapes, type ShapeContext } from './op-shapes';
import { normalizeDomain } from '../onnx/domain';
import { propagateValues, type PropagationInputs } from './data-propagation';

/** Constant integer tensors longer than this are not read (shape arguments are short). */
const MAX_CONSTANT_ELEMENTS = 1024;

export interface GraphShapes {
  /** Shape of every value whose rank is known (node outputs after naming unknown dims). */
  shapes: ShapesByName;
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
  // a loop, not map/reduce: called for thousands of one-element Constants per large model
  const dims = t.dims;
  let count = 1;
  if (dims) for (let k = 0; k < dims.length; k++) count *= toNumber(dims[k]);
  if (count > MAX_CONSTANT_ELEMENTS) return undefined;
  if (t.dataType === DataType.INT64) {
    if (t.int64Data?.length) return t.int64Data.map(toNumber);
    const b = tensorBytes(t);
    if (!b || b.byteLength !== count * 8) return count === 0 ? [] : undefined;
    // Two 32-bit little-endian halves from the bytes, not getBigInt64 (a BigInt per element) nor a DataView
    // per tensor (~13k int Constants per large model): hi * 2^32 is exact and adding the unsigned low half
    // rounds once, as Number(bigint) does.
    const values: number[] = new Array(count);
    for (let i = 0, o = 0; i < count; i++, o += 8) {
      const lo = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
      const hi = b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24);
      values[i] = hi * 4294967296 + lo;
    }
    return values;
  }
  if (t.dataType === DataType.INT32) {
    if (t.int32Data?.length) return [...t.int32Data];
    const b = tensorBytes(t);
    if (!b || b.byteLength !== count * 4) return count === 0 ? [] : undefined;
    const values: number[] = new Array(count);
    for (let i = 0, o = 0; i < count; i++, o += 4) values[i] = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
    return values;
  }
  return undefined;
}

/**
 * Dense ids for the value names of one graph: the pass keeps shapes and constants in arrays by id. A Map of
 * shapes by name took one insertion per value into a growing table (44k on gpt2-deep200, the hottest line of
 * a cold convert's value_info pass); with `known` (the IR's valueId of the graph a rewrite started from) a
 * name already has its id and only a lookup is made. Any other name gets an id past `known`'s on first add.
 * Distinct names get distinct ids, so an array by id holds what a Map by name would.
 */
export class ValueIds {
  private readonly extra = new Map<string, number>();
  constructor(
    private readonly known: ReadonlyMap<string, number> | undefined,
    private next: number,
    private readonly slots?: KnownSlots,
  ) {}

  /**
   * Where node `index` of the graph (the object `node`) has its slots' ids in `slots`: the index of that
   * very node there, or -1 (then its names are looked up).
   */
  slotsOf(index: number, node: NodeProto): number {
    const slots = this.slots;
    if (!slots || index >= slots.source.length) return -1;
    const at = slots.source[index];
    return at >= 0 && slots.nodes[at] === node ? at : -1;
  }

  /** The id in `slots` of input `i` of the node at `at` (slotsOf), of `count` inputs: -1 past them. */
  inputAt(at: number, i: number, count: number): number {
    return i < count ? this.slots!.inputIds[this.slots!.inputStart[at] + i] : -1;
  }

  /** The id in `slots` of output `i` of the node at `at` (slotsOf). */
  outputAt(at: number, i: number): number {
    return this.slots!.outputIds[this.slots!.outputStart[at] + i];
  }

  /** The name's id, -1 when it has none yet. */
  find(name: string): number {
    const id = this.known?.get(name);
    return id !== undefined ? id : this.extra.get(name) ?? -1;
  }

  /** Ids given so far (the known table's count, then one per other name added). */
  get size(): number {
    return this.next;
  }

  add(name: string): number {
    const id = this.find(name);
    if (id >= 0) return id;
    this.extra.set(name, this.next);
    return this.next++;
  }
}

/**
 * Value ids of the slots of nodes the caller has resolved already, as the IR lays them out (an IrGraph has
 * these fields): node k of the graph being inferred is `nodes[source[k]]` when source[k] >= 0 and that
 * entry is the very same object, and then its input i reads inputIds[inputStart[source[k]] + i] and its
 * output i writes outputIds[outputStart[source[k]] + i] (-1: omitted), ids of the same table as `ids`.
 */
export interface KnownSlots {
  source: readonly number[];
  nodes: readonly NodeProto[];
  inputIds: ArrayLike<number>;
  inputStart: ArrayLike<number>;
  outputIds: ArrayLike<number>;
  outputStart: ArrayLike<number>;
}

/**
 * A slot per id up to `count`, each undefined: a holey array of that length at once (V8 keeps it in fast
 * elements well past 44k; a push loop was ~5 ms of a cold convert), ids past `count` extend it.
 */
function slotsFor<T>(count: number): (T | undefined)[] {
  return new Array<T | undefined>(count);
}

/**
 * Integer constants (initializers, Constant outputs) by value id, kept as their tensor and parsed the first
 * time a rule reads one (most Constants of a transformer graph are never read as shape arguments); the
 * parsed values (or null: not readable as integers) replace the tensor in place.
 */
class IntConstants {
  private readonly byId: (TensorProto | number[] | null | undefined)[];
  constructor(count: number) {
    this.byId = slotsFor(count);
  }
  add(id: number, source: TensorProto | number[]): void {
    this.byId[id] = source;
  }
  get(id: number): number[] | undefined {
    const source = this.byId[id];
    if (source === undefined || source === null) return undefined;
    if (Array.isArray(source)) return source;
    const values = intValues(source);
    this.byId[id] = values ?? null;
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

/**
 * The shape with each unknown dim given a fresh name: a fresh array only when one is unknown, else the
 * shape itself (shapes are never mutated once made, so values of equal shape share one array: no copy per
 * value, and fewer arrays for the young generation to copy while the pass runs).
 */
function named(shape: Shape & object, table: SymbolTable): Dim[] {
  let out: Dim[] | undefined;
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] !== undefined) continue;
    out ??= shape.slice();
    out[k] = table.fresh();
  }
  return out ?? shape;
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

/** Shapes of a graph's values by name (the pass keeps them by value id). */
export interface ShapesByName {
  get(name: string): Dim[] | undefined;
}

/**
 * Infers the shapes of the main graph's values (bodies of If/Loop/Scan are not entered). `order` is
 * topologicalOrder of its nodes when the caller has it.
 */
export function inferGraphShapes(graph: GraphProto, opsets: ReadonlyMap<string, number>, order?: readonly number[], options: InferOptions = {}): GraphShapes {
  const ids = new ValueIds(undefined, 0);
  const pass = shapePass(graph, opsets, order ?? topologicalOrder(graph.node ?? []), options.bind, ids, undefined);
  return { shapes: new ShapesById(ids, pass.byId), inconsistent: pass.inconsistent };
}

class ShapesById implements ShapesByName {
  constructor(
    private readonly ids: ValueIds,
    private readonly byId: readonly (Dim[] | undefined)[],
  ) {}
  get(name: string): Dim[] | undefined {
    const id = this.ids.find(name);
    return id < 0 ? undefined : this.byId[id];
  }
}

interface ShapePass {
  /** Shape of each value id whose rank is known. */
  byId: (Dim[] | undefined)[];
  inconsistent: string[];
}

/** A shape rule's single result, reused node after node (read before the next node is inferred). */
const ONE_SHAPE: Shape[] = [undefined];
const NO_SHAPES: readonly Shape[] = [];
const SCALAR: number[] = [];

/**
 * The pass itself, over the nodes in `order` ('file': the node list is already topological). Each node
 * output's id is appended to `outputIds` when given (in `order`, -1 for an omitted output).
 */
export function shapePass(graph: GraphProto, opsets: ReadonlyMap<string, number>, order: readonly number[] | 'file', bind: InferOptions['bind'], ids: ValueIds, outputIds: number[] | undefined): ShapePass {
  const opset = opsets.get('') ?? opsets.get('ai.onnx') ?? 1;
  const declared = new Map<string, Dim[]>();
  const symbols = new Set<string>();
  const nodes = graph.node ?? [];
  const idCount = ids.size;
  const byId = slotsFor<Dim[]>(idCount);
  const constants = new IntConstants(idCount);
  // float constants are only read by Resize/Upsample for their scales: kept as sources, parsed on demand
  const floats = slotsFor<TensorProto>(idCount);
  const inconsistent: string[] = [];

  for (const vi of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const s = declaredShape(vi);
    if (!s || !vi.name) continue;
    for (const d of s) if (typeof d === 'string') symbols.add(d);
    if (!declared.has(vi.name)) declared.set(vi.name, s);
  }
  for (const vi of graph.input ?? []) {
    const s = vi.name ? declared.get(vi.name) : undefined;
    if (s) byId[ids.add(vi.name!)] = bind ? s.map((d) => (typeof d === 'string' && bind[d] !== undefined ? bind[d] : d)) : s;
  }
  for (const t of graph.initializer ?? []) {
    if (!t.name) continue;
    const id = ids.add(t.name);
    byId[id] = (t.dims ?? []).map(toNumber);
    if (isIntTensor(t)) constants.add(id, t);
    else if (t.dataType === DataType.FLOAT) floats[id] = t;
  }
  const table = new SymbolTable(symbols);
  const context = new NodeShapeContext(opset, ids, byId, constants, floats);
  const checkDeclared = declared.size > 0;
  const constantAttrs = new ConstantAttributes();

  const count = order === 'file' ? nodes.length : order.length;
  // indexed, not for-of: an iterator result per node before the JIT optimizes the loop
  for (let k = 0; k < count; k++) {
    const index = order === 'file' ? k : order[k];
    const node = nodes[index];
    // a node the caller resolved (most of a rewritten graph: the IR's own nodes) has its slots' ids already
    const at = ids.slotsOf(index, node);
    const outputs = node.output ?? NO_OUTPUTS;
    let inferred: readonly Shape[] = NO_SHAPES;
    const defaultDomain = isDefaultDomain(node.domain);
    const isConstant = defaultDomain && node.opType === 'Constant';
    // a third of a transformer graph's nodes are Constants: their rule without inferOpShapes' dispatch, and
    // their value's attributes found in one walk for both the shape and the constant
    if (isConstant) {
      ONE_SHAPE[0] = constantAttrs.read(node).dims();
      inferred = ONE_SHAPE;
    } else if (defaultDomain) {
      try {
        inferred = inferOpShapes(context.at(node, at));
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e;
        inconsistent.push(node.name || outputs[0] || node.opType || '?');
        inferred = NO_SHAPES;
      }
    }
    if (bind && !inferred.length) inferred = sameShapeFusedOutputs(node, context);
    let firstId = -1;
    for (let i = 0; i < outputs.length; i++) {
      const name = outputs[i];
      if (!name) {
        outputIds?.push(-1);
        continue;
      }
      const id = at >= 0 ? ids.outputAt(at, i) : ids.add(name);
      outputIds?.push(id);
      if (i === 0) firstId = id;
      let shape = inferred[i];
      const existing = checkDeclared ? declared.get(name) : undefined;
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
      byId[id] = named(shape, table);
    }
    if (bind && firstId >= 0 && defaultDomain) {
      context.at(node, at);
      const values = propagateValues(node, context);
      if (values) constants.add(firstId, values);
    }
    if (isConstant && firstId >= 0) {
      const t = constantAttrs.value?.t;
      const ints = constantAttrs.valueInts?.ints;
      const int = constantAttrs.valueInt?.i;
      if (t) {
        if (isIntTensor(t)) constants.add(firstId, t);
        else if (t.dataType === DataType.FLOAT) floats[firstId] = t;
      } else if (ints) constants.add(firstId, ints.map(toNumber));
      else if (int !== undefined && int !== null) constants.add(firstId, [toNumber(int)]);
    }
  }
  return { byId, inconsistent };
}

const NO_OUTPUTS: string[] = [];

/**
 * A Constant node's value attributes, the first of each name (as attribute() finds them), from one walk over
 * its attribute list: one object for the whole pass, read node after node.
 */
class ConstantAttributes {
  value: AttributeProto | undefined;
  valueFloat: AttributeProto | undefined;
  valueInt: AttributeProto | undefined;
  valueString: AttributeProto | undefined;
  valueFloats: AttributeProto | undefined;
  valueInts: AttributeProto | undefined;
  valueStrings: AttributeProto | undefined;

  read(node: NodeProto): this {
    this.value = this.valueFloat = this.valueInt = this.valueString = this.valueFloats = this.valueInts = this.valueStrings = undefined;
    const attrs = node.attribute ?? [];
    for (let a = 0; a < attrs.length; a++) {
      const attr = attrs[a];
      switch (attr.name) {
        case 'value': this.value ??= attr; break;
        case 'value_float': this.valueFloat ??= attr; break;
        case 'value_int': this.valueInt ??= attr; break;
        case 'value_string': this.valueString ??= attr; break;
        case 'value_floats': this.valueFloats ??= attr; break;
        case 'value_ints': this.valueInts ??= attr; break;
        case 'value_strings': this.valueStrings ??= attr; break;
      }
    }
    return this;
  }

  /** Dims of the value (ShapeContext.constantValueDims). */
  dims(): number[] | undefined {
    const t = this.value?.t;
    if (t) return tensorDims(t);
    if (this.valueFloat || this.valueInt || this.valueString) return SCALAR;
    const list = this.valueFloats?.floats ?? this.valueInts?.ints ?? this.valueStrings?.strings;
    return list ? [list.length] : undefined;
  }
}

/** A tensor's dims as numbers; a scalar's is the one shared empty shape. */
function tensorDims(t: TensorProto): number[] {
  const dims = t.dims;
  if (!dims || dims.length === 0) return SCALAR;
  const out: number[] = new Array(dims.length);
  for (let k = 0; k < dims.length; k++) out[k] = toNumber(dims[k]);
  return out;
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
  private slotsAt = -1;

  constructor(
    readonly opset: number,
    private readonly ids: ValueIds,
    private readonly shapes: readonly (Dim[] | undefined)[],
    private readonly constants: IntConstants,
    private readonly floats: readonly (TensorProto | undefined)[],
  ) {}

  /** Points the context at `node`; `slotsAt`: where its slots' ids are known (ValueIds.slotsOf), or -1. */
  at(node: NodeProto, slotsAt = -1): this {
    this.node = node;
    this.slotsAt = slotsAt;
    this.inputs = node.input ?? [];
    this.opType = node.opType ?? '';
    this.inputCount = this.inputs.length;
    this.outputCount = (node.output ?? []).length;
    return this;
  }

  /** The id of input i's value, -1 when omitted or unknown to the pass so far. */
  private inputId(i: number): number {
    if (this.slotsAt >= 0) return this.ids.inputAt(this.slotsAt, i, this.inputCount);
    const name = this.inputs[i];
    return name ? this.ids.find(name) : -1;
  }

  input(i: number): Shape {
    const id = this.inputId(i);
    return id < 0 ? undefined : this.shapes[id];
  }

  hasInput(i: number): boolean {
    return Boolean(this.inputs[i]);
  }

  constant(i: number): number[] | undefined {
    const id = this.inputId(i);
    return id < 0 ? undefined : this.constants.get(id);
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
    const id = this.inputId(i);
    const t = id < 0 ? undefined : this.floats[id];
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
    return new ConstantAttributes().read(this.node).dims();
  }
}
