// The fp16-simulated model (docs/design/engine.md, "Numeric error preview"): the original fp32 graph in which every
// value the plan stores in fp16 is rounded through Cast(fp16) -> Cast(fp32) right after its producer, and
// (under a bf16 recipe the same through Cast(bf16): outcome.low picks the type, onnxruntime's CPU Cast takes both)
// every weight read in fp16 is replaced by its rounded (and clamped) copy. Runs on any fp32 backend and
// shows exactly the error of fp16 storage. Optionally exposes every float value as a graph output so the
// error can be attributed to nodes.
import type { IrGraph } from '../ir';
import { DataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx/proto-types';
import type { PlanningProblem } from '../plan/constraints';
import type { PlanOutcome } from '../plan/planner';
import { convertTensor, emptyStorageStats, type StorageStats } from './apply-plan';
import { lowFormat, type LowPrecision } from '../tensor/low-precision';
import { NameAllocator } from './names';
import { makeCast } from './cast-node';
import { exposedOutputInfo, liftIfBodies } from './expose-bodies';
import { NodesAfter, anchorOf, definingGraph, replaceBodies } from './skeleton';

export interface SimulateOptions {
  /** Adds every float32 value of the main graph as an extra graph output (for per-node error). */
  exposeIntermediates?: boolean;
}

export interface SimulateResult {
  model: ModelProto;
  /** Names of the extra outputs, in node order, when exposeIntermediates is on. */
  exposed: string[];
  stats: StorageStats;
}


/**
 * Rounded data per weight and low type, kept while the model is: every preview of a model rounds the same
 * weights again (a 64-layer model: hundreds of milliseconds each time), and a tensor's rounding depends on
 * nothing else but the low type (fp16 and bf16 round differently).
 */
const roundedData = new WeakMap<TensorProto, Partial<Record<LowPrecision, { rawData: Uint8Array; clamped: number; raised: number }>>>();

function roundedCopy(tensor: TensorProto, name: string, stats: StorageStats, low: LowPrecision): TensorProto {
  let perLow = roundedData.get(tensor);
  if (!perLow) roundedData.set(tensor, (perLow = {}));
  let known = perLow[low];
  if (!known) {
    const own = emptyStorageStats();
    const half = convertTensor(tensor, own, tensor.name || name, low).rawData as Uint8Array;
    const view = new DataView(half.buffer, half.byteOffset, half.byteLength);
    const out = new Float32Array(half.byteLength / 2);
    const toFloat32 = lowFormat(low).toFloat32;
    for (let i = 0; i < out.length; i++) out[i] = toFloat32(view.getUint16(i * 2, true));
    known = { rawData: new Uint8Array(out.buffer), clamped: own.clamped, raised: own.raised };
    perLow[low] = known;
  }
  stats.clamped += known.clamped;
  stats.raised += known.raised;
  if (known.clamped || known.raised) stats.touched.push({ name: tensor.name || name, clamped: known.clamped, raised: known.raised });
  return { dims: tensor.dims, dataType: DataType.FLOAT, name, rawData: known.rawData };
}

export function simulatePlan(problem: PlanningProblem, outcome: PlanOutcome, options: SimulateOptions = {}): SimulateResult {
  const { model, values, storedReads } = problem;
  const fp16 = outcome.groupFp16;
  const names = new NameAllocator(model.proto);
  const opset = model.opsets.get('') ?? 1;
  const cast = (name: string, input: string, output: string, to: number) => makeCast(name, input, output, to, opset);
  const low = outcome.low;
  const LOW = lowFormat(low).elemType;
  const stats = emptyStorageStats();
  const key = (g: IrGraph, n: string) => `${g.id}:${n}`;

  // Values rounded after their producer: the producer writes `exact`, two Casts give back the name.
  const roundedAfter = new NodesAfter();
  const renamedOutput = new Map<string, string>(); // `${graph}:${name}` -> exact name
  const inputRounding = new Map<string, string>(); // graph-input value -> rounded name
  // fp32 values read by fp16 nodes: the real model Casts them to fp16 for those readers only.
  const fp16ReaderRounding = new Map<string, string>();
  for (const v of values) {
    if (!fp16[v.producer]) {
      if (!v.consumers.some((c) => fp16[c])) continue;
      const anchor = anchorOf(problem.groups[v.producer], v.graph);
      const half = names.fresh(`${v.name}_castaway_half`);
      const rounded = names.fresh(`${v.name}_castaway_rounded`);
      fp16ReaderRounding.set(key(v.graph, v.name), rounded);
      roundedAfter.add(v.graph, anchor, cast(names.fresh(`${v.name}_castaway_to_${low}`), v.name, half, LOW), cast(names.fresh(`${v.name}_castaway_to_fp32`), half, rounded, DataType.FLOAT));
      continue;
    }
    const group = problem.groups[v.producer];
    // A free op (data movement, selection, Relu/Max/...) in fp16 only passes on values that are already
    // rounded, so its output is exactly representable: no rounding nodes, a smaller graph to run.
    if (group.cls === 'free' && group.inputs.length > 0 && group.node >= 0) continue;
    const half = names.fresh(`${v.name}_castaway_half`);
    // A body input produced by its control-flow tie has no producing node in its own graph.
    if (group.node >= 0 && group.graph === v.graph) {
      const exact = names.fresh(`${v.name}_castaway_exact`);
      renamedOutput.set(key(v.graph, v.name), exact);
      roundedAfter.add(v.graph, group.node, cast(names.fresh(`${v.name}_castaway_to_${low}`), exact, half, LOW), cast(names.fresh(`${v.name}_castaway_to_fp32`), half, v.name, DataType.FLOAT));
    } else {
      const rounded = names.fresh(`${v.name}_castaway_rounded`);
      inputRounding.set(key(v.graph, v.name), rounded);
      roundedAfter.add(v.graph, 'input', cast(names.fresh(`${v.name}_castaway_to_${low}`), v.name, half, LOW), cast(names.fresh(`${v.name}_castaway_to_fp32`), half, rounded, DataType.FLOAT));
    }
  }
  // Weights read in fp16: a rounded fp32 copy in the graph that owns them, read by the fp16 slots.
  const roundedStored = new Map<string, string>();
  const extraInitializers = new Map<IrGraph, TensorProto[]>();
  const constantTensors = new Map<string, TensorProto>();
  for (const graph of model.graphs) {
    for (const node of graph.nodes) {
      if (node.opType !== 'Constant' || node.domain) continue;
      const t = node.attribute?.find((a) => a.name === 'value')?.t;
      if (t && t.dataType === DataType.FLOAT) constantTensors.set(key(graph, node.output?.[0] ?? ''), t);
    }
  }
  const slotRename = new Map<string, string>(); // `${graph}:${node}:${slot}` -> name
  for (const read of storedReads) {
    if (!fp16[read.group]) continue;
    const k = key(read.ownerGraph, read.name);
    let rounded = roundedStored.get(k);
    if (!rounded) {
      const tensor = read.ownerGraph.initializers.get(read.name) ?? constantTensors.get(k);
      if (!tensor || tensor.dataType !== DataType.FLOAT) continue;
      rounded = names.fresh(`${read.name}_castaway_${low}sim`);
      roundedStored.set(k, rounded);
      const list = extraInitializers.get(read.ownerGraph) ?? [];
      list.push(roundedCopy(tensor, rounded, stats, low));
      extraInitializers.set(read.ownerGraph, list);
    }
    slotRename.set(`${read.graph.id}:${read.node}:${read.slot}`, rounded);
  }
  for (const v of values) {
    const rounded = inputRounding.get(key(v.graph, v.name));
    if (rounded) for (const r of v.readers) if (r.node >= 0) slotRename.set(`${r.graph.id}:${r.node}:${r.slot}`, rounded);
    const forFp16 = fp16ReaderRounding.get(key(v.graph, v.name));
    if (forFp16) for (const r of v.readers) if (r.node >= 0 && fp16[r.group]) slotRename.set(`${r.graph.id}:${r.node}:${r.slot}`, forFp16);
  }

  const rewritten = new Map<IrGraph, GraphProto>();
  const protoOfNode = new Map<string, NodeProto>(); // `${graph}:${node index}` -> its rewritten proto
  for (const graph of [...model.graphs].reverse()) {
    const nodes: NodeProto[] = [...roundedAfter.at(graph, 'input')];
    graph.nodes.forEach((node, n) => {
      let next = node;
      const inputs = (node.input ?? []).map((name, slot) => slotRename.get(`${graph.id}:${n}:${slot}`) ?? name);
      const outputs = (node.output ?? []).map((name) => renamedOutput.get(key(graph, name)) ?? name);
      next = { ...next, input: inputs, output: outputs };
      const bodies = graph.subgraphs.get(n);
      if (bodies) next = { ...next, attribute: (next.attribute ?? []).map((attr) => replaceBodies(attr, bodies, rewritten)) };
      protoOfNode.set(key(graph, String(n)), next);
      nodes.push(next, ...roundedAfter.at(graph, n));
    });
    // A body output read in fp16 by its If/Loop/Scan from an fp32 producer is Cast at the end of the body
    // in the real model: the simulated body returns the rounded copy.
    const output = graph.id === 0 ? graph.proto.output : (graph.proto.output ?? []).map((vi, k) => {
      const group = problem.graphOutputGroups[graph.id][k];
      if (group < 0 || !fp16[group]) return vi;
      const owner = definingGraph(graph, vi.name ?? '');
      const rounded = owner && fp16ReaderRounding.get(key(owner, vi.name ?? ''));
      return rounded ? { ...vi, name: rounded } : vi;
    });
    rewritten.set(graph, { ...graph.proto, node: nodes, output, initializer: [...(graph.proto.initializer ?? []), ...(extraInitializers.get(graph) ?? [])] });
  }
  const exposed: string[] = [];
  // Values inside If branches come out through their If (expose-bodies.ts), named "<value>::exposed<depth>".
  const lifted = options.exposeIntermediates
    ? liftIfBodies(model.main, rewritten, (g, n) => protoOfNode.get(key(g, String(n)))!, (g, name) => problem.types.elemType(g, name) === DataType.FLOAT && g.nodes[g.producer.get(name)?.node ?? -1]?.opType !== 'Constant')
    : [];
  const main = rewritten.get(model.main)!;
  if (options.exposeIntermediates) {
    const existing = new Set(model.main.outputs);
    const extra: ValueInfoProto[] = [];
    model.main.nodes.forEach((node) => {
      for (const out of node.output ?? []) {
        if (!out || existing.has(out) || problem.types.elemType(model.main, out) !== DataType.FLOAT) continue;
        if (node.opType === 'Constant') continue;
        exposed.push(out);
        extra.push({ name: out, type: { tensorType: { elemType: DataType.FLOAT } } });
      }
    });
    for (const l of lifted) {
      exposed.push(l.outer);
      extra.push(exposedOutputInfo(l.outer));
    }
    main.output = [...(main.output ?? []), ...extra];
  }
  return { model: { ...model.proto, graph: main }, exposed, stats };
}
