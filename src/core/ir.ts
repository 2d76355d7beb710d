// An indexed, validated view over a decoded ModelProto: who produces and who reads every value, nodes in
// topological order, subgraphs linked to their parent scope. The proto objects are shared, not copied, so
// a 1 GB model costs only the index; rewrites build new node lists and leave the input model untouched.
import { CastawayError } from './errors';
import { hasGraphAttribute, topologicalOrder } from './graph-order';
import { domainLabel, normalizeDomain } from './onnx/domain';
import { AttributeType, toNumber, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './onnx/proto-types';

export interface Consumer {
  node: number;
  /** Input position; -1 when the node reads the value only inside one of its subgraphs. */
  slot: number;
}

export interface IrGraph {
  /** Stable id, 0 for the main graph, in discovery order for subgraphs. */
  id: number;
  proto: GraphProto;
  /** Nodes in topological order (the input order when it already was one). */
  nodes: NodeProto[];
  /** For each node of `nodes`, its index in proto.node. */
  originalIndex: number[];
  /**
   * By name: built from outputIds on first use, like `consumers` (a convert never asks: 44k {node, slot}
   * objects and a 44k-entry Map cost it time and garbage collection). Hot paths use producerNode.
   */
  readonly producer: Map<string, { node: number; slot: number }>;
  /** Per value id, the index in `nodes` of the node that writes it; -1 for a graph input or initializer. */
  producerNode: Int32Array;
  /**
   * Integer ids of the values this graph defines (graph inputs, initializers, node outputs; each name once),
   * so that passes over every value can keep arrays indexed by id instead of Maps keyed by name (a 44k-node
   * graph's names hashed and compared ~30 times per convert were the hottest line of every phase).
   */
  valueId: Map<string, number>;
  /** Name of each value id. */
  valueNames: string[];
  /**
   * Per input slot of `nodes`, flat (node n's slots are inputIds[inputStart[n] .. inputStart[n + 1])): the
   * id of the value it reads, or -1 for an omitted input or a value of an enclosing graph.
   */
  inputIds: Int32Array;
  inputStart: Int32Array;
  /** Per output slot, flat like inputIds: the id of the value, or -1 for an omitted output. */
  outputIds: Int32Array;
  outputStart: Int32Array;
  /**
   * By name: built from the flat lists below on first use (a convert never asks: a 44k-entry Map, a
   * Consumer object per input and an array per value cost it time and garbage collection).
   */
  readonly consumers: Map<string, Consumer[]>;
  /**
   * Per value id, who reads it, flat: value id's readers are at consumerStart[id] .. consumerStart[id + 1]
   * of consumerNode (node index) and consumerSlot (input position, -1 for a read inside the node's bodies),
   * in node order (see consumersOf).
   */
  consumerStart: Int32Array;
  consumerNode: Int32Array;
  consumerSlot: Int32Array;
  graphInputs: Set<string>;
  initializers: Map<string, TensorProto>;
  outputs: string[];
  /** Names this graph (or its subgraphs) reads from enclosing scopes. */
  outerReads: Set<string>;
  /** Subgraphs per node index: one entry per graph-valued attribute (If: then/else, Loop/Scan: body). */
  subgraphs: Map<number, { attribute: string; graph: IrGraph }[]>;
  parent?: { graph: IrGraph; node: number };
}

export interface IrModel {
  proto: ModelProto;
  main: IrGraph;
  /** Every graph, main first, subgraphs after their parents. */
  graphs: IrGraph[];
  opsets: Map<string, number>;
}

export { normalizeDomain };

export function buildIr(model: ModelProto): IrModel {
  if (!model.graph) throw new CastawayError('not-onnx', 'The model has no graph');
  const opsets = readOpsets(model);
  const graphs: IrGraph[] = [];
  const main = indexGraph(model.graph, undefined, graphs, 'main graph');
  if (main.nodes.length === 0) throw new CastawayError('empty-graph', 'The main graph has no nodes', graphName(model.graph));
  checkDomainsImported(graphs, opsets);
  return { proto: model, main, graphs, opsets };
}

function readOpsets(model: ModelProto): Map<string, number> {
  const opsets = new Map<string, number>();
  for (const entry of model.opsetImport ?? []) {
    const domain = normalizeDomain(entry.domain);
    const version = toNumber(entry.version);
    const previous = opsets.get(domain);
    if (previous !== undefined && previous !== version) {
      throw new CastawayError('opset-mix', `Domain "${domainLabel(domain)}" is imported at opset ${previous} and at opset ${version}`, 'opset_import');
    }
    if (!Number.isInteger(version) || version < 1 || version > 10_000) {
      throw new CastawayError('opset-mix', `Domain "${domainLabel(domain)}" has an invalid opset version ${version}`, 'opset_import');
    }
    opsets.set(domain, version);
  }
  if (opsets.size === 0) throw new CastawayError('not-onnx', 'The model imports no opset', 'opset_import');
  return opsets;
}

/** onnx.checker refuses a node whose domain has no opset_import: which version of its ops it means is unknown. */
function checkDomainsImported(graphs: readonly IrGraph[], opsets: ReadonlyMap<string, number>): void {
  for (const graph of graphs) {
    // indexed, and a node whose domain (as written) is its predecessor's needs no lookup: nearly every node
    // of a graph shares one or two domains (a closure call, a normalization and a lookup per node before)
    let checked: string | undefined | null = null; // null: none yet
    for (let n = 0; n < graph.nodes.length; n++) {
      const node = graph.nodes[n];
      if (node.domain === checked) continue;
      checked = node.domain;
      const domain = normalizeDomain(node.domain);
      if (!opsets.has(domain)) {
        throw new CastawayError(
          'not-onnx',
          `Node "${node.name ?? ''}" (${node.opType}) is in domain "${domain}", which the model does not import (opset_import)`,
          `${nodeLabel(node, graph.originalIndex[n])} in ${graphName(graph.proto)}`,
        );
      }
    }
  }
}

/** Two initializers of one name: onnx.checker refuses it, and which one a reader gets is undefined. */
function checkUniqueInitializers(proto: GraphProto, where: string): void {
  const seen = new Set<string>();
  for (const t of proto.initializer ?? []) {
    const name = t.name ?? '';
    if (seen.has(name)) throw new CastawayError('not-onnx', `Initializer "${name}" is defined twice`, where);
    seen.add(name);
  }
}

function graphName(graph: GraphProto): string {
  return graph.name ? `graph "${graph.name}"` : 'graph';
}

function nodeLabel(node: NodeProto, index: number): string {
  return node.name ? `node "${node.name}" (${node.opType})` : `node #${index} (${node.opType})`;
}

function indexGraph(proto: GraphProto, parent: IrGraph['parent'], all: IrGraph[], where: string): IrGraph {
  checkUniqueInitializers(proto, where);
  let consumersByName: Map<string, Consumer[]> | undefined;
  let producerByName: Map<string, { node: number; slot: number }> | undefined;
  // ids in the order they were first read: the lazy Map's insertion order is the one an eager Map had
  const consumedOrder: number[] = [];
  const graph: IrGraph = {
    id: all.length,
    proto,
    nodes: [],
    originalIndex: [],
    get producer(): Map<string, { node: number; slot: number }> {
      return (producerByName ??= producerMap(graph));
    },
    producerNode: EMPTY,
    valueId: new Map(),
    valueNames: [],
    inputIds: EMPTY,
    inputStart: EMPTY,
    outputIds: EMPTY,
    outputStart: EMPTY,
    consumerStart: EMPTY,
    consumerNode: EMPTY,
    consumerSlot: EMPTY,
    get consumers(): Map<string, Consumer[]> {
      return (consumersByName ??= consumerMap(graph, consumedOrder));
    },
    graphInputs: new Set((proto.input ?? []).map((v) => v.name ?? '')),
    initializers: new Map((proto.initializer ?? []).map((t) => [t.name ?? '', t])),
    outputs: (proto.output ?? []).map((v) => v.name ?? ''),
    outerReads: new Set(),
    subgraphs: new Map(),
    parent,
  };
  all.push(graph);
  // Value ids: graph inputs, then initializers, then node outputs in file order. valueId holds exactly the
  // names of producer, graphInputs and initializers, so it also answers "is this name local"; with the file
  // index of each id's producer it is also what the topological order needs (no map of its own).
  const { valueId, valueNames } = graph;
  for (const name of graph.graphInputs) addValue(valueId, valueNames, name);
  for (const name of graph.initializers.keys()) addValue(valueId, valueNames, name);
  const producedIn: number[] = new Array<number>(valueNames.length).fill(-1);
  const protoNodes = proto.node ?? [];
  // Every name is looked up once, here, in file order: the ids of each node's output and input slots are
  // kept (fileOutIds, fileInIds) and the order check and the final lists below read them instead of
  // looking names up again (two more Map lookups per slot were ~30 ms of a cold 44k-node index).
  const fileOutStart = new Int32Array(protoNodes.length + 1);
  const fileInStart = new Int32Array(protoNodes.length + 1);
  for (let i = 0; i < protoNodes.length; i++) {
    fileOutStart[i + 1] = fileOutStart[i] + (protoNodes[i].output?.length ?? 0);
    fileInStart[i + 1] = fileInStart[i] + (protoNodes[i].input?.length ?? 0);
  }
  const fileOutIds = new Int32Array(fileOutStart[protoNodes.length]).fill(-1);
  const fileInIds = new Int32Array(fileInStart[protoNodes.length]).fill(-1);
  let hasBodies = false;
  for (let i = 0; i < protoNodes.length; i++) {
    const outputs = protoNodes[i].output ?? [];
    for (let k = 0; k < outputs.length; k++) {
      const out = outputs[k];
      if (!out) continue;
      let id = valueId.get(out);
      if (id === undefined) {
        id = newValue(valueId, valueNames, out);
        producedIn.push(i);
        fileOutIds[fileOutStart[i] + k] = id;
        continue;
      }
      // an initializer's name may be produced once (the output shadows it); a graph input's may not
      if (producedIn[id] >= 0 || graph.graphInputs.has(out) && !graph.initializers.has(out)) {
        throw new CastawayError('unsupported', `Value "${out}" is produced twice (the graph is not in SSA form)`, `${nodeLabel(protoNodes[i], i)} in ${where}`);
      }
      producedIn[id] = i;
      fileOutIds[fileOutStart[i] + k] = id;
    }
    if (!hasBodies && hasGraphAttribute(protoNodes[i])) hasBodies = true;
  }
  // inputs after every output has its id: a read of a later node's output is found too
  for (let i = 0; i < protoNodes.length; i++) {
    const inputs = protoNodes[i].input ?? [];
    for (let k = 0; k < inputs.length; k++) {
      const id = inputs[k] ? valueId.get(inputs[k]) : undefined;
      if (id !== undefined) fileInIds[fileInStart[i] + k] = id;
    }
  }
  const order = hasBodies || !sortedByIds(fileInIds, fileInStart, producedIn) ? topologicalOrder(protoNodes, {
    producedAt: {
      get(name: string): number | undefined {
        const id = valueId.get(name);
        return id === undefined || producedIn[id] < 0 ? undefined : producedIn[id];
      },
    },
    onSelfRead: (i, name) => {
      throw new CastawayError('cycle', `Node reads its own output "${name}"`, nodeLabel(protoNodes[i], i));
    },
    onCycle: (i) => {
      throw new CastawayError('cycle', 'The graph has a cycle', `${nodeLabel(protoNodes[i], i)} in ${where}`);
    },
  }) : identityOrder(protoNodes.length);
  graph.originalIndex = order;
  graph.nodes = order.map((i) => protoNodes[i]);
  const nodeCount = graph.nodes.length;
  const inputIds = (graph.inputIds = new Int32Array(fileInIds.length));
  const inputStart = (graph.inputStart = new Int32Array(nodeCount + 1));
  const outputIds = (graph.outputIds = new Int32Array(fileOutIds.length));
  const outputStart = (graph.outputStart = new Int32Array(nodeCount + 1));
  const producerNode = (graph.producerNode = new Int32Array(valueNames.length).fill(-1));
  // the file-order slot lists in node order (one copy when the file was sorted already)
  let inSlots = 0;
  let outSlots = 0;
  for (let n = 0; n < nodeCount; n++) {
    const f = order[n];
    inputStart[n] = inSlots;
    outputStart[n] = outSlots;
    for (let k = fileInStart[f]; k < fileInStart[f + 1]; k++) inputIds[inSlots++] = fileInIds[k];
    for (let k = fileOutStart[f]; k < fileOutStart[f + 1]; k++) {
      const id = fileOutIds[k];
      outputIds[outSlots++] = id;
      if (id >= 0) producerNode[id] = n;
    }
  }
  inputStart[nodeCount] = inSlots;
  outputStart[nodeCount] = outSlots;
  const isLocal = (name: string) => valueId.has(name);
  // Consumers in two passes: count per value here (with the checks), then place them (below).
  const counts = new Int32Array(valueNames.length);
  const count = (id: number) => {
    if (counts[id]++ === 0) consumedOrder.push(id);
  };
  const bodyReads: number[] = []; // node, value id: reads inside a node's bodies, in node order
  for (let n = 0; n < nodeCount; n++) {
    const node = graph.nodes[n];
    const inputs = node.input ?? [];
    for (let slot = 0; slot < inputs.length; slot++) {
      const name = inputs[slot];
      if (!name) continue; // an omitted optional input
      const id = inputIds[inputStart[n] + slot];
      if (id >= 0) count(id);
      else if (parent && resolvesInScope(parent.graph, name)) graph.outerReads.add(name);
      else throw new CastawayError('dangling-input', `Input "${name}" is not produced by any node, graph input or initializer`, `${nodeLabel(node, graph.originalIndex[n])} in ${where}`);
    }
    if (!node.attribute?.length) continue; // no bodies
    const subgraphs: { attribute: string; graph: IrGraph }[] = [];
    const firstBodyRead = bodyReads.length;
    for (const attr of node.attribute ?? []) {
      const bodies = attr.g ? [attr.g] : attr.graphs ?? [];
      if (!attr.g && !(attr.type === AttributeType.GRAPHS && bodies.length)) continue;
      for (const body of bodies) {
        const sub = indexGraph(body, { graph, node: n }, all, `${attr.name} of ${nodeLabel(node, graph.originalIndex[n])}`);
        subgraphs.push({ attribute: attr.name ?? '', graph: sub });
        for (const name of sub.outerReads) {
          const id = valueId.get(name);
          if (id !== undefined) {
            // once per node, however many of its bodies read it
            let already = false;
            for (let k = firstBodyRead + 1; k < bodyReads.length; k += 2) if (bodyReads[k] === id) already = true;
            if (!already) {
              bodyReads.push(n, id);
              count(id);
            }
          }
          else graph.outerReads.add(name);
        }
      }
    }
    if (subgraphs.length) graph.subgraphs.set(n, subgraphs);
  }
  placeConsumers(graph, counts, bodyReads);
  for (const name of graph.outputs) {
    if (name && !isLocal(name) && !(parent && resolvesInScope(parent.graph, name))) {
      throw new CastawayError('dangling-input', `Graph output "${name}" is not produced by any node`, where);
    }
  }
  return graph;
}

const EMPTY = new Int32Array(0);

/**
 * Whether every node reads only values produced before it (and none of its own), by the slots' value ids: the
 * IR's check for a graph without bodies (graph-order.ts's alreadySorted looks each name up again).
 */
function sortedByIds(inIds: Int32Array, inStart: Int32Array, producedIn: readonly number[]): boolean {
  for (let i = 0; i + 1 < inStart.length; i++) {
    for (let k = inStart[i]; k < inStart[i + 1]; k++) {
      const id = inIds[k];
      if (id >= 0 && producedIn[id] >= i) return false;
    }
  }
  return true;
}

function identityOrder(length: number): number[] {
  const order = new Array<number>(length);
  for (let i = 0; i < length; i++) order[i] = i;
  return order;
}

/** Fills the graph's flat consumer lists: each value's readers in node order, a node's slots before its body reads. */
function placeConsumers(graph: IrGraph, counts: Int32Array, bodyReads: readonly number[]): void {
  const start = (graph.consumerStart = new Int32Array(counts.length + 1));
  for (let id = 0; id < counts.length; id++) start[id + 1] = start[id] + counts[id];
  const nodeOf = (graph.consumerNode = new Int32Array(start[counts.length]));
  const slotOf = (graph.consumerSlot = new Int32Array(start[counts.length]));
  const next = start.slice(0, counts.length);
  const { inputIds, inputStart } = graph;
  let b = 0;
  for (let n = 0; n < graph.nodes.length; n++) {
    for (let k = inputStart[n]; k < inputStart[n + 1]; k++) {
      const id = inputIds[k];
      if (id < 0) continue;
      nodeOf[next[id]] = n;
      slotOf[next[id]++] = k - inputStart[n];
    }
    for (; b < bodyReads.length && bodyReads[b] === n; b += 2) {
      const id = bodyReads[b + 1];
      nodeOf[next[id]] = n;
      slotOf[next[id]++] = -1;
    }
  }
}

/** The readers of value `id` of `graph` as Consumer objects (fresh each call). */
export function consumersOf(graph: IrGraph, id: number): Consumer[] {
  const out: Consumer[] = [];
  for (let k = graph.consumerStart[id]; k < graph.consumerStart[id + 1]; k++) out.push({ node: graph.consumerNode[k], slot: graph.consumerSlot[k] });
  return out;
}

/** The by-name producer map, in node then slot order (the order an eager Map had). */
function producerMap(graph: IrGraph): Map<string, { node: number; slot: number }> {
  const map = new Map<string, { node: number; slot: number }>();
  for (let n = 0; n < graph.nodes.length; n++) {
    const outputs = graph.nodes[n].output ?? [];
    for (let slot = 0; slot < outputs.length; slot++) if (outputs[slot]) map.set(outputs[slot], { node: n, slot });
  }
  return map;
}

function consumerMap(graph: IrGraph, order: readonly number[]): Map<string, Consumer[]> {
  const map = new Map<string, Consumer[]>();
  for (const id of order) map.set(graph.valueNames[id], consumersOf(graph, id));
  return map;
}

function addValue(ids: Map<string, number>, names: string[], name: string): void {
  if (!ids.has(name)) newValue(ids, names, name);
}

function newValue(ids: Map<string, number>, names: string[], name: string): number {
  ids.set(name, names.length);
  return names.push(name) - 1;
}

function resolvesInScope(graph: IrGraph, name: string): boolean {
  for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) {
    if (g.valueId.has(name)) return true; // its producer, graph inputs and initializers
  }
  return false;
}

