// Applies a plan to the model (docs/design/engine.md, "Rewrite"): retypes every float32 value to its planned
// precision, inserts one Cast per cast value right after its producer (the node list stays sorted),
// stores initializers and Constants in the precision their readers need (both copies when both are
// needed), retargets existing Casts and attribute-typed ops, drops Casts that became identities, and
// rewrites If/Loop/Scan bodies in the same pass. The input model is never mutated: changed nodes, graphs
// and tensors are shallow copies, untouched ones are shared.
import type { IrGraph } from '../ir';
import { AttributeType, DataType, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto, toNumber } from '../onnx/proto-types';
import { inputGroupOf, outputGroupOf, type PlanningProblem, type PlanValue } from '../plan/constraints';
import type { PlanOutcome } from '../plan/planner';
import { EXTERNAL, tensorBytes } from '../external-data';
import { CastawayError } from '../errors';
import type { TouchedTensor } from '../api';
import { convertFloat32BytesToLow, type Fp16Converter, type Fp16Stats } from './fp16';
import { lowFormat, type LowPrecision } from '../tensor/low-precision';
import { GraphKeyed } from './graph-keyed';
import { NodesAfter, anchorOf, definingGraph, replaceBodies } from './skeleton';
import { constantNodeTensor } from '../plan/stored-tensors';
import { NameAllocator } from './names';
import { castTarget, castToAttribute, makeCast } from './cast-node';

const FLOAT = DataType.FLOAT;
// The low side of the plan ('low' in api.ts Precision) is written as outcome.low's element type, LOW_TYPE
// (FLOAT16 or BFLOAT16); local names below still say "fp16" for that side, after the planner's groupFp16.

/** Conversion counts and the tensors whose values were clamped or raised (fp16.ts says why). */
export interface StorageStats extends Fp16Stats {
  touched: TouchedTensor[];
  /** How this rewrite turns float32 bytes into fp16 ones (ConvertOptions.fp16Converter); the codec's when absent. */
  fp16Converter?: Fp16Converter;
  /**
   * Tensors converted from external data (absent: none). convertTensor is where a tensor of the model
   * leaves it (converted copies keep their bytes inline), so the converted model holds an external tensor or
   * this is set exactly when the original had external data: convertModel needs no walk of the original.
   */
  fromExternal?: number;
}

export function emptyStorageStats(fp16Converter?: Fp16Converter): StorageStats {
  return fp16Converter ? { clamped: 0, raised: 0, touched: [], fp16Converter } : { clamped: 0, raised: 0, touched: [] };
}

export interface RewriteResult {
  model: ModelProto;
  insertedCasts: number;
  removedCasts: number;
  stats: StorageStats;
  /**
   * Element type of a value that a node of the rewritten main graph writes, as the plan decides it: what
   * element-type inference over the rewritten graph gives for an undeclared node output, without a second
   * pass over it (value_info takes it; rewritten-types.test.ts compares the two on every fixture).
   */
  mainElemType: (name: string, id?: number) => number | undefined;
  /**
   * Per node of the rewritten main graph, the index in the IR's main.nodes of the node it is (the same
   * object: its slots' value ids are the IR's inputIds/outputIds), or -1 for a node the rewrite made or changed.
   */
  mainNodeSource: readonly number[];
}

interface CastPlan {
  /** Name the producer writes. */
  producerName: string;
  /** Name the Cast writes. */
  castName: string;
  /** Precision of the producer side (1 = fp16). */
  producerFp16: number;
  castNode: NodeProto;
}

export function applyPlan(problem: PlanningProblem, outcome: PlanOutcome, fp16Converter?: Fp16Converter): RewriteResult {
  const { model, groups, values, storedReads } = problem;
  const fp16 = outcome.groupFp16;
  const low = outcome.low;
  const LOW_TYPE = lowFormat(low).elemType;
  const names = new NameAllocator(model.proto);
  const opset = model.opsets.get('') ?? 1;
  const stats = emptyStorageStats(fp16Converter);

  // 1. Casts: one per cast value, named after it; when the value is a graph output read in the Cast's
  //    precision, the Cast takes the output's name and the producer writes a renamed value instead.
  const valueByKey = new GraphKeyed<PlanValue>();
  for (const v of values) valueByKey.setAt(v.graph, v.id, v);
  const casts = new Map<PlanValue, CastPlan>();
  // Main-graph values the rewrite names or retypes itself: Cast outputs, renamed producers and fp16 copies
  // of Constants by name; Constants converted in place (most of them) by value id, so that a convert that
  // inserts no Cast leaves the Map empty and mainElemType skips it (44k lookups by the value_info pass).
  const createdTypes = new Map<string, number>();
  const lowInPlace = new Uint8Array(model.main.valueNames.length);
  const extraValueInfo = new Map<IrGraph, ValueInfoProto[]>();
  const castsAfterNode = new NodesAfter();
  for (const i of outcome.castValues) {
    const v = values[i];
    const producerFp16 = fp16[v.producer];
    const toFp16 = producerFp16 ? 0 : 1;
    const outputRead = v.readers.find((r) => r.node === -1 && r.graph === v.graph && fp16[r.group] !== producerFp16);
    const suffix = toFp16 ? low : 'fp32';
    let producerName = v.name;
    let castName: string;
    if (outputRead) {
      producerName = names.fresh(`${v.name}_castaway_${producerFp16 ? low : 'fp32'}`);
      castName = v.name;
    } else {
      castName = names.fresh(`${v.name}_castaway_${suffix}`);
    }
    const castNode = makeCast(names.fresh(`${v.name}_castaway_cast_to_${suffix}`), producerName, castName, toFp16 ? LOW_TYPE : FLOAT, opset);
    castsAfterNode.add(v.graph, anchorOf(groups[v.producer], v.graph), castNode);
    casts.set(v, { producerName, castName, producerFp16, castNode });
    if (v.graph === model.main) {
      createdTypes.set(producerName, producerFp16 ? LOW_TYPE : FLOAT);
      createdTypes.set(castName, toFp16 ? LOW_TYPE : FLOAT);
    }
    // Declare the new value's type: some Casts (Cast-1's string `to`) give the checker nothing to infer from.
    const fresh = outputRead ? producerName : castName;
    const declared = declaredValueInfo(v.graph, v.name);
    const list2 = extraValueInfo.get(v.graph) ?? [];
    list2.push({
      name: fresh,
      type: { tensorType: { elemType: (outputRead ? producerFp16 : toFp16) ? LOW_TYPE : FLOAT, ...(declared?.type?.tensorType?.shape ? { shape: declared.type.tensorType.shape } : {}) } },
    });
    extraValueInfo.set(v.graph, list2);
  }

  // 2. Stored data: per initializer/Constant, which precisions its readers need.
  //    By the value ids the reads carry: no name lookup per read (16k Constants read on a 44k-node graph).
  const storedNeeds = new GraphKeyed<{ owner: IrGraph; name: string; id: number; fp16: boolean; fp32: boolean }>();
  for (const read of storedReads) {
    let need = storedNeeds.getAt(read.ownerGraph, read.id);
    if (!need) storedNeeds.setAt(read.ownerGraph, read.id, (need = { owner: read.ownerGraph, name: read.name, id: read.id, fp16: false, fp32: false }));
    if (fp16[read.group]) need.fp16 = true;
    else need.fp32 = true;
  }
  // Readers of stored data outside any float group (e.g. shape inputs) keep the fp32 original.
  const storedFp16Name = new GraphKeyed<string>();
  for (const need of storedNeeds.values()) {
    if (!need.fp16) continue;
    const sharedWithOthers = need.fp32 || isReadOutsideGroups(problem, need.owner, need.name, need.id);
    storedFp16Name.setAt(need.owner, need.id, sharedWithOthers ? names.fresh(`${need.name}_castaway_${low}`) : need.name);
  }

  const readName = (graph: IrGraph, node: number, slot: number, name: string): string =>
    resolveRead(graph, inputGroupOf(problem, graph, node, slot), name, graph.inputIds[graph.inputStart[node] + slot]);
  /**
   * The name a reader in `group` (of `graph`) reads `name` under after the plan: the original, the fp16 copy
   * or the Cast's output. `local` is the name's value id in `graph` when the caller has it (a node's input
   * slot), -1 otherwise.
   */
  const resolveRead = (graph: IrGraph, group: number, name: string, local = graph.valueId.get(name) ?? -1): string => {
    if (group < 0) return name;
    const owner = local >= 0 ? graph : definingGraph(graph, name);
    if (!owner) return name;
    const id = local >= 0 ? local : owner.valueId.get(name)!;
    if (storedNeeds.getAt(owner, id)) return fp16[group] ? storedFp16Name.getAt(owner, id) ?? name : name;
    const v = valueByKey.getAt(owner, id);
    const cast = v && casts.get(v);
    if (!cast) return name;
    return fp16[group] === cast.producerFp16 ? cast.producerName : cast.castName;
  };

  // 3. Rewrite graphs bottom-up so parents embed rewritten bodies.
  const rewritten = new Map<IrGraph, GraphProto>();
  let removedCasts = 0;
  let mainNodeSource: number[] = [];
  for (const graph of [...model.graphs].reverse()) {
    const outNodes: NodeProto[] = [];
    const aliases = new Map<string, string>(); // identity Casts removed: output -> input
    // Which nodes may read a removed Cast's output: its readers come after it (topological order), so each
    // node is checked as it is written, by the value ids of its inputs, and only those are rewritten below
    // (not a Map lookup per input of every node of a 44k-node graph for a handful of removed Casts).
    let removedOutput: Uint8Array | undefined; // per value id of this graph
    const aliasReaders: number[] = []; // indices in outNodes
    outNodes.push(...castsAfterNode.at(graph, 'input'));
    // main graph: per node written, the index in graph.nodes of the IR node it is (that very object), -1 for
    // one made or changed here: value_info's shape pass reads such a node's slot ids from the IR instead of
    // looking each of its names up (RewriteResult.mainNodeSource)
    const source: number[] | undefined = graph === model.main ? [] : undefined;
    const seenNodeNames = new Set<string>();
    // indexed, not forEach: no closure call per node of a 44k-node graph
    const graphNodes = graph.nodes;
    for (let n = 0; n < graphNodes.length; n++) {
      const node = graphNodes[n];
      let next: NodeProto = node;
      // the group of its first output, -1 for none (what retargeting an attribute-typed output asks)
      const firstOut = outputGroupOf(problem, graph, n, 0);
      // New name lists only for the nodes whose names change (few): no two arrays per node of a 44k graph.
      const inputs = node.input ?? [];
      const outputs = node.output ?? [];
      let changedInputs: string[] | undefined;
      let changedOutputs: string[] | undefined;
      for (let slot = 0; slot < inputs.length; slot++) {
        const name = inputs[slot];
        const read = name ? readName(graph, n, slot, name) : name;
        if (read !== name) (changedInputs ??= inputs.slice())[slot] = read;
      }
      for (let slot = 0; slot < outputs.length; slot++) {
        const v = valueByKey.getAt(graph, graph.outputIds[graph.outputStart[n] + slot]);
        const cast = v && casts.get(v);
        if (cast && cast.producerName !== outputs[slot]) (changedOutputs ??= outputs.slice())[slot] = cast.producerName;
      }
      const newInputs = changedInputs ?? inputs;
      const newOutputs = changedOutputs ?? outputs;
      if (changedInputs || changedOutputs) next = { ...next, input: newInputs.slice(), output: newOutputs.slice() };
      const retargeted = retargetAttributes(next, firstOut, fp16, stats, opset, low);
      if (retargeted) next = retargeted;
      const bodies = graph.subgraphs.get(n);
      if (bodies) next = { ...next, attribute: (next.attribute ?? []).map((attr) => replaceBodies(attr, bodies, rewritten)) };
      // Identity Casts (input already in the target precision after the plan) are dropped.
      if (isRemovableCast(problem, graph, n, fp16, LOW_TYPE)) {
        aliases.set(newOutputs[0], newInputs[0]);
        removedCasts++;
        (removedOutput ??= new Uint8Array(graph.valueNames.length))[graph.outputIds[graph.outputStart[n]]] = 1;
        // the Casts the plan puts after it read its output
        const after = castsAfterNode.at(graph, n);
        for (let k = 0; k < after.length; k++) aliasReaders.push(outNodes.length + k);
        pushAll(outNodes, after);
        continue;
      }
      const storedCopy = constantCopy(graph, node, graph.outputStart[n + 1] > graph.outputStart[n] ? graph.outputIds[graph.outputStart[n]] : -1, storedFp16Name, names, stats, low);
      if (storedCopy && !storedCopy.inPlace) {
        if (source && next === node) sourceAt(source, outNodes.length, n);
        outNodes.push(next); // the fp32 original stays for fp32 readers
      }
      if (storedCopy) {
        next = storedCopy.node;
        if (graph === model.main) {
          if (storedCopy.inPlace) lowInPlace[graph.outputIds[graph.outputStart[n]]] = 1;
          else createdTypes.set(next.output![0], LOW_TYPE);
        }
      }
      const nodeName = next.name;
      if (nodeName) {
        // one hash lookup per name, not has() then add(): the set grows only when the name is new
        const seen = seenNodeNames.size;
        seenNodeNames.add(nodeName);
        if (seenNodeNames.size === seen) {
          const renamed = names.fresh(nodeName);
          next = { ...next, name: renamed };
          seenNodeNames.add(renamed);
        }
      }
      if (removedOutput && readsAny(graph, n, removedOutput)) aliasReaders.push(outNodes.length);
      if (source && next === node) sourceAt(source, outNodes.length, n);
      outNodes.push(next);
      pushAll(outNodes, castsAfterNode.at(graph, n));
    }
    if (aliases.size) {
      const resolve = (name: string) => {
        while (aliases.has(name)) name = aliases.get(name)!;
        return name;
      };
      // a new input list only for a node that reads an alias (a few), not a mapped copy of every node's
      for (const i of aliasReaders) {
        const node = outNodes[i];
        const original = node.input ?? [];
        let k = 0;
        while (k < original.length && !aliases.has(original[k])) k++;
        if (k === original.length) continue;
        const inputs = original.map(resolve);
        if (!sameList(inputs, original)) {
          outNodes[i] = { ...node, input: inputs };
          if (source && i < source.length) source[i] = -1;
        }
      }
    }
    if (source) {
      sourceAt(source, outNodes.length, -1);
      mainNodeSource = source;
    }
    rewritten.set(graph, {
      ...graph.proto,
      node: outNodes,
      initializer: rewriteInitializers(graph, storedFp16Name, stats, low),
      input: (graph.proto.input ?? []).map((vi) => retypeValueInfo(vi, graph, fp16, casts, valueByKey, LOW_TYPE)),
      output: (graph.proto.output ?? []).map((vi, k) => {
        const group = problem.graphOutputGroups[graph.id][k];
        // A body output is read by its control-flow tie: it takes the tie's precision, under the name that
        // holds the value in that precision (the Cast's output, the fp16 copy of stored data, or the original).
        if (graph.id === 0 || group < 0) return retypeValueInfo(vi, graph, fp16, casts, valueByKey, LOW_TYPE);
        return { ...withElemType(vi, fp16[group] ? LOW_TYPE : FLOAT), name: resolveRead(graph, group, vi.name ?? '') };
      }),
      valueInfo: [...rewriteValueInfo(graph, fp16, casts, valueByKey, aliases, (n) => storedFp16Name.get(graph, n) === n, LOW_TYPE), ...(extraValueInfo.get(graph) ?? [])],
    });
  }
  const main = model.main;
  const mainTypes = problem.types.elemTypesById(main);
  // Every other value keeps its original type, except a float32 value of a group the plan made low.
  // `known`: the name's id in main.valueId when the caller has it (-1: none there), so no second lookup
  const mainElemType = (name: string, known?: number): number | undefined => {
    if (createdTypes.size) {
      const created = createdTypes.get(name);
      if (created !== undefined) return created;
    }
    const id = known === undefined ? main.valueId.get(name) : known >= 0 ? known : undefined;
    if (id === undefined) return problem.types.elemType(main, name);
    if (lowInPlace[id]) return LOW_TYPE;
    const v = valueByKey.getAt(main, id);
    if (v) return fp16[v.producer] ? LOW_TYPE : FLOAT;
    return mainTypes[id] || undefined; // by the id just found, not a second lookup of the name
  };
  return { model: { ...model.proto, graph: rewritten.get(main)! }, insertedCasts: casts.size, removedCasts, stats, mainElemType, mainNodeSource };
}

/** Sets source[at] to `index`, the slots before it that nothing set to -1 (nodes the rewrite made). */
function sourceAt(source: number[], at: number, index: number): void {
  while (source.length < at) source.push(-1);
  if (index >= 0) source.push(index);
}

const declaredCache = new WeakMap<IrGraph, Map<string, ValueInfoProto>>();

/** The value_info, graph input or graph output entry that declares a value, if any. */
function declaredValueInfo(graph: IrGraph, name: string): ValueInfoProto | undefined {
  let map = declaredCache.get(graph);
  if (!map) {
    map = new Map();
    for (const vi of [...(graph.proto.input ?? []), ...(graph.proto.output ?? []), ...(graph.proto.valueInfo ?? [])]) if (vi.name && !map.has(vi.name)) map.set(vi.name, vi);
    declaredCache.set(graph, map);
  }
  return map.get(name);
}

/** Whether node `n` of `graph` reads, at one of its input slots, a value whose id is flagged. */
function readsAny(graph: IrGraph, n: number, flagged: Uint8Array): boolean {
  for (let k = graph.inputStart[n]; k < graph.inputStart[n + 1]; k++) {
    const id = graph.inputIds[k];
    if (id >= 0 && flagged[id]) return true;
  }
  return false;
}

/** Appends `items` (usually none) without a spread call per node. */
function pushAll<T>(list: T[], items: readonly T[]): void {
  for (let k = 0; k < items.length; k++) list.push(items[k]);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}



/** Whether any node reads `name` from a slot that is not a float candidate (e.g. Shape, or an int slot). */
function isReadOutsideGroups(problem: PlanningProblem, owner: IrGraph, name: string, id: number): boolean {
  for (const graph of problem.model.graphs) {
    let g: IrGraph | undefined = graph;
    let visible = false;
    for (; g; g = g.parent?.graph) if (g === owner) visible = true;
    if (!visible) continue;
    if (graph.id === owner.id) {
      for (let k = owner.consumerStart[id]; k < owner.consumerStart[id + 1]; k++) {
        const slot = owner.consumerSlot[k];
        if (slot < 0 || inputGroupOf(problem, graph, owner.consumerNode[k], slot) < 0) return true;
      }
    }
    // Main-graph outputs keep the stored original; a body output read by a control-flow tie is a group read.
    if (graph.outputs.some((o, k) => o === name && (graph.id === 0 || problem.graphOutputGroups[graph.id][k] < 0))) return true;
  }
  return false;
}

function isReadBySubgraph(graph: IrGraph, name: string): boolean {
  const id = graph.valueId.get(name);
  if (id === undefined) return false;
  for (let k = graph.consumerStart[id]; k < graph.consumerStart[id + 1]; k++) if (graph.consumerSlot[k] < 0) return true;
  return false;
}

/**
 * An existing Cast whose input already has the output's type once the plan is applied (e.g. a Cast to
 * float of an fp16 value whose readers all went fp16) is an identity and is dropped, unless its output is
 * a graph output or read inside a subgraph, where the name must stay.
 */
function isRemovableCast(problem: PlanningProblem, graph: IrGraph, n: number, fp16: Uint8Array, lowType: number): boolean {
  const node = graph.nodes[n];
  if (node.opType !== 'Cast' || node.domain) return false;
  const out = node.output?.[0] ?? '';
  if (graph.outputs.includes(out) || isReadBySubgraph(graph, out)) return false;
  return isIdentityCast(graph, node, inputGroupOf(problem, graph, n, 0), outputGroupOf(problem, graph, n, 0), fp16, problem, lowType);
}

/** How many existing Casts the rewrite will drop for this plan (for the live count, without rewriting). */
export function countRemovableCasts(problem: PlanningProblem, outcome: PlanOutcome): number {
  let count = 0;
  const lowType = lowFormat(outcome.low).elemType;
  for (const graph of problem.model.graphs) graph.nodes.forEach((_, n) => (count += isRemovableCast(problem, graph, n, outcome.groupFp16, lowType) ? 1 : 0));
  return count;
}

function isIdentityCast(graph: IrGraph, node: NodeProto, inGroup: number, outGroup: number, fp16: Uint8Array, problem: PlanningProblem, lowType: number): boolean {
  const to = castTarget(node);
  const outType = outGroup >= 0 ? (fp16[outGroup] ? lowType : FLOAT) : to;
  const inName = node.input?.[0] ?? '';
  let inType: number | undefined;
  if (inGroup >= 0) inType = fp16[inGroup] ? lowType : FLOAT;
  else inType = problem.types.elemType(graph, inName);
  return inType !== undefined && inType === outType;
}

/** Cast 'to', ConstantOfShape 'value', Random*'s 'dtype': switched to the low type where the output went low. */
function retargetAttributes(node: NodeProto, firstOut: number, fp16: Uint8Array, stats: StorageStats, opset: number, low: LowPrecision): NodeProto | undefined {
  if (firstOut < 0 || !fp16[firstOut] || node.domain) return undefined;
  const attrs = node.attribute ?? [];
  const LOW_TYPE = lowFormat(low).elemType;
  switch (node.opType) {
    case 'Cast':
      return { ...node, attribute: attrs.map((a) => (a.name === 'to' ? castToAttribute(LOW_TYPE, opset) : a)) };
    case 'ConstantOfShape': {
      const value = attrs.find((a) => a.name === 'value');
      const tensor: TensorProto = value?.t ?? { dims: [1], dataType: FLOAT, rawData: new Uint8Array(4) };
      const converted = convertTensor(tensor, stats, `${node.name || node.output?.[0] || 'ConstantOfShape'}.value`, low);
      const rest = attrs.filter((a) => a.name !== 'value');
      return { ...node, attribute: [...rest, { ...(value ?? { name: 'value', type: AttributeType.TENSOR }), t: converted }] };
    }
    case 'RandomNormal':
    case 'RandomUniform':
    case 'EyeLike':
    case 'Bernoulli': {
      const rest = attrs.filter((a) => a.name !== 'dtype');
      return { ...node, attribute: [...rest, { name: 'dtype', type: AttributeType.INT, i: LOW_TYPE }] };
    }
    default:
      return undefined;
  }
}

/** The low-precision copy of a float32 tensor; `label` names it in stats.touched when a value was clamped or raised. */
export function convertTensor(tensor: TensorProto, stats: StorageStats, label: string, low: LowPrecision): TensorProto {
  const bytes = tensorBytes(tensor);
  if (!bytes) throw new CastawayError('unsupported', 'Cannot read the data of a float tensor', tensor.name ?? 'tensor');
  // The fp16 copy is always held in memory; writeExternalData moves it out again when the model is large.
  const { floatData: _f, rawData: _r, externalData: _e, dataLocation: _d, externalBytes: _b, ...rest } = tensor;
  void _f; void _r; void _e; void _d; void _b;
  if (tensor.dataLocation === EXTERNAL) stats.fromExternal = (stats.fromExternal ?? 0) + 1;
  const own: Fp16Stats = { clamped: 0, raised: 0 };
  const rawData = convertFloat32BytesToLow(low, bytes, own, stats.fp16Converter);
  stats.clamped += own.clamped;
  stats.raised += own.raised;
  if (own.clamped || own.raised) stats.touched.push({ name: label, clamped: own.clamped, raised: own.raised });
  return { ...rest, dataType: lowFormat(low).elemType, rawData };
}

function rewriteInitializers(
  graph: IrGraph,
  fp16Names: GraphKeyed<string>,
  stats: StorageStats,
  low: LowPrecision,
): TensorProto[] | undefined {
  const list = graph.proto.initializer;
  if (!list) return list;
  const out: TensorProto[] = [];
  for (const t of list) {
    const newName = fp16Names.get(graph, t.name ?? '');
    if (newName === undefined || t.dataType !== FLOAT) {
      out.push(t);
      continue;
    }
    const converted = { ...convertTensor(t, stats, t.name ?? '', low), name: newName };
    if (newName !== t.name) out.push(t);
    out.push(converted);
  }
  return out;
}

/**
 * A Constant node whose readers need fp16: converted in place, or a converted copy next to it. `outId` is
 * the value id of its first output slot (-1 for none).
 */
function constantCopy(
  graph: IrGraph,
  node: NodeProto,
  outId: number,
  fp16Names: GraphKeyed<string>,
  names: NameAllocator,
  stats: StorageStats,
  low: LowPrecision,
): { node: NodeProto; inPlace: boolean } | undefined {
  if (node.opType !== 'Constant' || node.domain) return undefined;
  const out = node.output?.[0] ?? '';
  const newName = fp16Names.getAt(graph, outId);
  if (newName === undefined) return undefined;
  const tensor = constantNodeTensor(node);
  if (!tensor) return undefined;
  const converted = convertTensor(tensor, stats, out, low);
  const newNode: NodeProto = {
    ...node,
    name: newName === out ? node.name : names.fresh(`${node.name || out}_castaway_${low}`),
    output: [newName],
    attribute: [{ name: 'value', type: AttributeType.TENSOR, t: converted }],
  };
  return { node: newNode, inPlace: newName === out };
}

/** A value_info with another element type, sharing everything else. */
function withElemType(vi: ValueInfoProto, elemType: number): ValueInfoProto {
  return { ...vi, type: { ...vi.type, tensorType: { ...vi.type?.tensorType, elemType } } };
}

/** The value_info of a float32 value retyped to the precision it has after the plan. */
function retypeValueInfo(vi: ValueInfoProto, graph: IrGraph, fp16: Uint8Array, casts: Map<PlanValue, CastPlan>, valueByKey: GraphKeyed<PlanValue>, lowType: number): ValueInfoProto {
  const name = vi.name ?? '';
  const v = valueByKey.get(definingGraph(graph, name) ?? graph, name);
  if (!v || vi.type?.tensorType?.elemType !== FLOAT) return vi;
  const cast = casts.get(v);
  // A graph output written by a Cast has the Cast's precision; anything else its producer's.
  const isFp16 = cast && cast.castName === name ? !cast.producerFp16 : !!fp16[v.producer];
  return isFp16 ? withElemType(vi, lowType) : vi;
}

function rewriteValueInfo(
  graph: IrGraph,
  fp16: Uint8Array,
  casts: Map<PlanValue, CastPlan>,
  valueByKey: GraphKeyed<PlanValue>,
  aliases: Map<string, string>,
  storedInPlace: (name: string) => boolean,
  lowType: number,
): ValueInfoProto[] {
  const out: ValueInfoProto[] = [];
  for (const vi of graph.proto.valueInfo ?? []) {
    const name = vi.name ?? '';
    if (aliases.has(name)) continue; // the dropped identity Cast's output no longer exists
    if (storedInPlace(name) && vi.type?.tensorType?.elemType === FLOAT) out.push(withElemType(vi, lowType));
    else out.push(retypeValueInfo(vi, graph, fp16, casts, valueByKey, lowType));
  }
  return out;
}
