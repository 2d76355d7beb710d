// Layer-sized pieces of a model for the preview's runs (docs/precision.md, "Speed"). onnxruntime's
// session creation grows faster than linearly with the node count (a 11k-node decoder: about a minute in
// wasm, optimizations off), while running the model takes well under a second. Split at the exporter's
// repeated scopes (`/d/layers.7/...`), every piece of identical structure is one small model whose weights
// are inputs, so a 64-layer model creates a handful of sessions of ~200 nodes and runs one of them 63
// times. The pieces' models are canonical (names by position), so identical structure means identical
// bytes: that is the test of sameness, nothing looser.
import { AttributeType, DataType, toNumber, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx/proto-types';
import { hasGraphAttribute } from '../graph-order';

export interface Segment {
  nodes: NodeProto[];
  /** Values read from outside the piece (graph inputs, earlier pieces' outputs, fed weights), in order. */
  inputs: string[];
  /** Values produced here and read later or by the caller, in order. */
  outputs: string[];
  /**
   * Float32 values only the caller reads (the per-node view's exposed values): the piece's model returns
   * them flattened into one tensor beside their sizes (segmentProto), in this order: onnxruntime-web
   * handles each output of a run on its own, and a layer has about a hundred.
   */
  packed: string[];
  /** Small tensors kept inside the piece's model (shape constants, axes, scalars): part of its identity. */
  inlined: Map<string, TensorProto>;
}

export interface SegmentedModel {
  model: ModelProto;
  segments: Segment[];
  /** Initializers fed as inputs (weights), by name. */
  fed: Map<string, TensorProto>;
}

/** Fewer caller-only outputs than this are returned as they are (packing adds nodes to the piece). */
const MIN_PACKED = 8;

/** Pieces shorter than this join the piece before them: a session per Cast would cost more than it saves. */
const MIN_NODES = 4;

/**
 * Neighbouring pieces that occur once (the glue before the first layer, a first or last layer that differs
 * from the others) are joined up to this many nodes, and an eighth of the model: each would need a session
 * of its own anyway, and a session's fixed cost outweighs its growth with size at these sizes.
 */
const MAX_JOINED_NODES = 600;
const MAX_JOINED_SHARE = 1 / 8;

/**
 * Below this many nodes one session is created in about a second or less (553 nodes: 0.5 s in wasm), and
 * pieces would only add sessions: the model runs whole, as it always did.
 */
export const MIN_SEGMENTED_NODES = 2000;

/** A node's repeated scope: the name's path up to the first component numbered like a layer (`layers.7`, `h_3`). */
function scopeOf(name: string): string | undefined {
  const parts = name.split('/');
  for (let i = 0; i < parts.length - 1; i++) if (/[._]\d+$/.test(parts[i])) return parts.slice(0, i + 1).join('/');
  return undefined;
}

const FLOATS: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE]);

function elementCount(tensor: TensorProto): number {
  return (tensor.dims ?? []).reduce<number>((n, d) => n * toNumber(d), 1);
}

/** Weights (float tensors beyond a scalar) are fed, so layers with other weights share a session. */
function isFed(tensor: TensorProto): boolean {
  return FLOATS.has(tensor.dataType ?? 0) && elementCount(tensor) > 1;
}

/**
 * Splits the main graph into pieces at its repeated scopes, or returns null where that is not safe or not
 * worth it (fewer than `minNodes` nodes; control flow, whose bodies read outer values; nodes out of
 * topological order; sparse initializers; one piece only). Nodes without a scope of their own (the simulation's rounding Casts)
 * go with the node that produces their first input.
 */
export function segmentModel(model: ModelProto, minNodes = MIN_SEGMENTED_NODES): SegmentedModel | null {
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  if (!graph || nodes.length === 0 || nodes.length < minNodes || graph.sparseInitializer?.length) return null;
  if (nodes.some(hasGraphAttribute)) return null;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t] as const));
  const available = new Set([...(graph.input ?? []).map((v) => v.name ?? ''), ...initializers.keys(), '']);
  // A node's scope: its own, else its first input's producer's; a node that reads nothing scoped (a
  // Constant, a weight alias as torch writes them between a layer's nodes) floats and joins the next
  // scoped node: before, each such node opened a piece of its own and split one layer into ten.
  const FLOATING = '';
  const producerScope = new Map<string, string>();
  const scopes: string[] = [];
  for (const node of nodes) {
    if ((node.input ?? []).some((i) => !available.has(i))) return null;
    const scope = scopeOf(node.name ?? '') ?? producerScope.get(node.input?.[0] ?? '') ?? FLOATING;
    for (const out of node.output ?? []) {
      available.add(out);
      producerScope.set(out, scope);
    }
    scopes.push(scope);
  }
  // Nodes after the last scoped one join it.
  let next = [...scopes].reverse().find((s) => s !== FLOATING) ?? FLOATING;
  for (let k = scopes.length - 1; k >= 0; k--) {
    if (scopes[k] === FLOATING) scopes[k] = next;
    else next = scopes[k];
  }
  const runs: { scope: string; nodes: NodeProto[] }[] = [];
  nodes.forEach((node, k) => {
    const last = runs.at(-1);
    if (last && last.scope === scopes[k]) last.nodes.push(node);
    else runs.push({ scope: scopes[k], nodes: [node] });
  });
  const sized: NodeProto[][] = [];
  for (const run of runs) {
    if (sized.length && run.nodes.length < MIN_NODES) sized[sized.length - 1].push(...run.nodes);
    else sized.push(run.nodes);
  }
  // Pieces whose op sequence occurs once cannot share a session: neighbouring ones are joined.
  const signature = (piece: NodeProto[]) => piece.map((n) => n.opType).join(',');
  const occurrences = new Map<string, number>();
  for (const piece of sized) occurrences.set(signature(piece), (occurrences.get(signature(piece)) ?? 0) + 1);
  const merged: NodeProto[][] = [];
  const joinedCap = Math.min(MAX_JOINED_NODES, nodes.length * MAX_JOINED_SHARE);
  let joinable = false;
  for (const piece of sized) {
    const unique = occurrences.get(signature(piece)) === 1;
    const last = merged.at(-1);
    if (unique && joinable && last && last.length + piece.length <= joinedCap) last.push(...piece);
    else merged.push([...piece]);
    joinable = unique;
  }
  if (merged.length < 2) return null;

  const graphOutputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const float32Outputs = new Set((graph.output ?? []).filter((v) => v.type?.tensorType?.elemType === DataType.FLOAT).map((v) => v.name ?? ''));
  const lastRead = new Map<string, number>();
  merged.forEach((piece, s) => piece.forEach((n) => (n.input ?? []).forEach((i) => lastRead.set(i, s))));
  const fed = new Map<string, TensorProto>();
  const segments = merged.map((piece, s): Segment => {
    const produced = new Set(piece.flatMap((n) => n.output ?? []));
    const inputs: string[] = [];
    const inlined = new Map<string, TensorProto>();
    const seen = new Set<string>();
    for (const n of piece) {
      for (const i of n.input ?? []) {
        if (!i || produced.has(i) || seen.has(i)) continue;
        seen.add(i);
        const tensor = initializers.get(i);
        if (tensor && !isFed(tensor)) inlined.set(i, tensor);
        else {
          if (tensor) fed.set(i, tensor);
          inputs.push(i);
        }
      }
    }
    const given = piece.flatMap((n) => (n.output ?? []).filter((o) => o && (graphOutputs.has(o) || (lastRead.get(o) ?? -1) > s)));
    let packed = given.filter((o) => float32Outputs.has(o) && (lastRead.get(o) ?? -1) <= s);
    if (packed.length < MIN_PACKED) packed = [];
    const packedSet = new Set(packed);
    return { nodes: piece, inputs, outputs: given.filter((o) => !packedSet.has(o)), packed, inlined };
  });
  return { model, segments, fed };
}

/**
 * The piece as a model of its own, every name replaced by its position (inputs `i0..`, values `v0..`,
 * constants `c0..`, nodes `n0..`), inputs typed by the tensors that will feed them (left undefined, 0, where
 * `inputTypes` is not given: `typedPiece` sets them where the values are known): equal structure gives
 * equal bytes. Returns the model, the canonical name of each of the piece's outputs, and of the packed
 * values' data and sizes: the packed values flattened (Reshape to [-1], exact copies) and concatenated in
 * order, and each one's element count (Shape of the flattened value).
 */
export function segmentProto(
  segmented: SegmentedModel,
  segment: Segment,
  inputTypes?: readonly number[],
): { model: ModelProto; outputs: string[]; packed?: { data: string; sizes: string } } {
  const names = new Map<string, string>();
  segment.inputs.forEach((name, k) => names.set(name, `i${k}`));
  let constants = 0;
  const initializer: TensorProto[] = [];
  for (const [name, tensor] of segment.inlined) {
    const local = `c${constants++}`;
    names.set(name, local);
    initializer.push({ ...tensor, name: local });
  }
  let values = 0;
  const local = (name: string) => {
    if (!name) return name;
    let mapped = names.get(name);
    if (mapped === undefined) names.set(name, (mapped = `v${values++}`));
    return mapped;
  };
  const node = segment.nodes.map((n, k): NodeProto => ({ ...n, name: `n${k}`, input: (n.input ?? []).map(local), output: (n.output ?? []).map(local) }));
  const typed = (name: string, elemType: number): ValueInfoProto => ({ name, type: { tensorType: { elemType } } });
  const outputs = segment.outputs.map((o) => names.get(o)!);
  let packed: { data: string; sizes: string } | undefined;
  if (segment.packed.length) {
    packed = { data: 'packed', sizes: 'sizes' };
    initializer.push({ name: 'flat', dataType: DataType.INT64, dims: [1], int64Data: [-1] });
    segment.packed.forEach((value, k) => {
      node.push({ name: `r${k}`, opType: 'Reshape', input: [names.get(value)!, 'flat'], output: [`f${k}`] });
      node.push({ name: `z${k}`, opType: 'Shape', input: [`f${k}`], output: [`s${k}`] });
    });
    const axis0 = [{ name: 'axis', type: AttributeType.INT, i: 0 }];
    node.push({ name: 'cat', opType: 'Concat', input: segment.packed.map((_, k) => `f${k}`), output: [packed.data], attribute: axis0 });
    node.push({ name: 'catz', opType: 'Concat', input: segment.packed.map((_, k) => `s${k}`), output: [packed.sizes], attribute: axis0 });
  }
  const source = segmented.model;
  const model: ModelProto = {
    irVersion: source.irVersion,
    opsetImport: source.opsetImport,
    graph: {
      name: 'segment',
      node,
      initializer,
      input: segment.inputs.map((_, k) => typed(`i${k}`, inputTypes?.[k] ?? DataType.UNDEFINED)),
      // Output types are left to onnxruntime's inference: they follow from the inputs.
      output: [...outputs, ...(packed ? [packed.data, packed.sizes] : [])].map((name) => ({ name })),
    },
  };
  if (source.functions?.length) model.functions = source.functions;
  return { model, outputs, packed };
}

/**
 * The piece's model as an exact text key: everything the encoded model holds (bytes as latin-1 text,
 * 64-bit integers as decimal), so equal keys mean equal models, at a fraction of encoding's cost.
 */
export function pieceKey(model: ModelProto): string {
  return JSON.stringify(model, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      let text = 'b:';
      for (let i = 0; i < value.length; i += 8192) text += String.fromCharCode(...value.subarray(i, i + 8192));
      return text;
    }
    if (typeof value === 'bigint') return `n:${value}`;
    if (value && typeof value === 'object' && 'low' in value && 'high' in value && 'unsigned' in value) return `n:${String(value)}`;
    return value;
  });
}
