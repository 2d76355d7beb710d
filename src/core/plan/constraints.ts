// From an indexed model to the abstract cut problem (docs/design/engine.md, "Precision constraints"). Everything here
// depends only on the model, never on the recipe, so it is built once per model; the recipe only decides
// each group's status (groupStatus in planner.ts), which keeps a re-plan to a max-flow run.
import type { IrGraph, IrModel } from '../ir';
import { normalizeDomain } from '../ir';
import { DataType, toNumber, type NodeProto, type ValueInfoProto } from '../onnx/proto-types';
import type { CutTopology, CutValue } from './cut-problem';
import { controlFlowTies } from './control-flow';
import { LOW_FORMATS } from '../tensor/low-precision';
import { appended } from '../short-lists';
import { CONTROL_FLOW_OPS, FP32_FUNCTION_OPS, FREE_OPS, ORT_ALWAYS_FLOAT_INPUTS_BY_DOMAIN, RETARGETABLE_OUTPUT_OPS, isConstantNode } from './op-classes';

/** How the element types of a node's slots relate, as the type layer reports it. */
export interface SlotGroup {
  inputs: number[];
  outputs: number[];
  /** Whether the type constraint admits float16 (e.g. LayerNormalization's Mean output does not). */
  allowsFloat16: boolean;
  /** Whether it admits bfloat16 (absent: no). */
  allowsBfloat16?: boolean;
}

export interface TypeOracle {
  /** Element type of a value as seen from `graph` (outer scopes included); undefined when unknown. */
  elemType(graph: IrGraph, name: string): number | undefined;
  /**
   * Per value id of `graph` (ir.ts), its element type, 0 when unknown: built once per graph, so passes over
   * every value or slot read an array instead of looking each name up again.
   */
  elemTypesById(graph: IrGraph): Int32Array;
  /** The node's slot groups, or undefined for an op the engine cannot type (opaque). */
  slotGroups(graph: IrGraph, node: NodeProto): SlotGroup[] | undefined;
}

/** What a group is before any recipe applies. */
export type GroupClass =
  | 'compute'   // a float op the recipe may block; fp16 otherwise
  | 'free'      // data movement or exact op: the planner decides
  | 'spec-fp32' // the spec or the engine keeps it fp32 (no float16 in the type constraint, opaque op, untied control-flow slots)
  | 'graph-input'
  | 'graph-output';

export interface PlanGroup {
  graph: IrGraph;
  /** Index in graph.nodes, or -1 for graph input/output pseudo groups. */
  node: number;
  inputs: number[];
  outputs: number[];
  cls: GroupClass;
  /**
   * Whether the group may be bfloat16 when the recipe's low type is bf16 (its type constraint admits it and
   * the model's opset has bfloat16 Casts, 13+); absent: no, so the planner keeps it fp32 under bf16.
   */
  allowsBfloat16?: boolean;
  opType: string;
  domain: string;
  nodeName: string;
}

export interface PlanValue extends CutValue {
  graph: IrGraph;
  name: string;
  /** Its value id in `graph` (ir.ts). */
  id: number;
  /** Every (node, slot) that reads it, with the group of that slot; graph-output readers have node -1. */
  readers: { graph: IrGraph; node: number; slot: number; group: number }[];
}

/** A read of stored data (initializer or Constant output) by a slot whose group decides its precision. */
export interface StoredRead {
  graph: IrGraph;
  /** Index in graph.nodes, or -1 when a subgraph returns the stored data as its output number `slot`. */
  node: number;
  slot: number;
  group: number;
  /** Graph in which the initializer or Constant lives. */
  ownerGraph: IrGraph;
  name: string;
  /** Its value id in ownerGraph (ir.ts). */
  id: number;
}

export interface PlanningProblem {
  model: IrModel;
  types: TypeOracle;
  /** Declared shape of any value (from value_info), for byte and FLOP estimates. */
  valueShape(graph: IrGraph, name: string): (number | string)[] | undefined;
  topology: CutTopology;
  groups: PlanGroup[];
  values: PlanValue[];
  storedReads: StoredRead[];
  /**
   * Per graph id, per input slot and output slot, flat like the IR's inputIds/outputIds (node n's input slot
   * k is at graph.inputStart[n] + k): its group, -1 when not a float32 candidate. One array per graph, not a
   * view per node (88k typed-array views on a 44k-node graph).
   */
  inputGroups: Int32Array[];
  outputGroups: Int32Array[];
  /**
   * Per graph id, per formal output: the group that reads it (the graph-output group in the main graph,
   * the control-flow tie in a body), -1 when not a float32 candidate. A body output takes this group's
   * precision, which is what keeps If/Loop/Scan types consistent across the boundary.
   */
  graphOutputGroups: Int32Array[];
}

const FLOAT = DataType.FLOAT;

// Every value starts with these and gets its own lists as its readers are found (appended: exact-length
// arrays, not a [] per value pushed onto, which kept 16 slots each for the whole run); never written to.
const NO_GROUPS: number[] = [];
const NO_READERS: PlanValue['readers'] = [];

/**
 * The group of node `node`'s input slot `slot` in `graph` (PlanningProblem.inputGroups' flat layout), -1 when
 * the node has no such slot or it is not a float32 candidate.
 */
export function inputGroupOf(problem: PlanningProblem, graph: IrGraph, node: number, slot: number): number {
  const at = graph.inputStart[node] + slot;
  return at < graph.inputStart[node + 1] ? problem.inputGroups[graph.id][at] : -1;
}

/** The group of node `node`'s output slot `slot` in `graph`, as inputGroupOf. */
export function outputGroupOf(problem: PlanningProblem, graph: IrGraph, node: number, slot: number): number {
  const at = graph.outputStart[node] + slot;
  return at < graph.outputStart[node + 1] ? problem.outputGroups[graph.id][at] : -1;
}

/**
 * Sets flags[start + k] for each of a node's slots that holds a float32 value: by its value id, or, for a
 * value of an enclosing graph (id -1), by asking the oracle its name.
 */
function markFloatSlots(flags: Uint8Array, names: string[] | undefined, ids: Int32Array, start: number, floatById: Uint8Array, graph: IrGraph, types: TypeOracle): void {
  if (!names) return;
  for (let k = 0; k < names.length; k++) {
    const id = ids[start + k];
    if (id >= 0 ? floatById[id] === 1 : !!names[k] && types.elemType(graph, names[k]) === FLOAT) flags[start + k] = 1;
  }
}

function anySet(flags: Uint8Array, start: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (flags[start + k]) return true;
  return false;
}

/**
 * The positions of `positions` (a schema group's slots) that hold a float32 value and are not always
 * float: `positions` itself when that is all of them (the oracle's cached lists are never changed, so
 * groups may share them), else a new list.
 */
function floatPositions(positions: number[], floats: Uint8Array, start: number, count: number, alwaysFloat: readonly number[] | undefined): number[] {
  let kept = 0;
  for (let k = 0; k < positions.length; k++) if (isFloatPosition(positions[k], floats, start, count, alwaysFloat)) kept++;
  if (kept === positions.length) return positions;
  const out: number[] = [];
  for (let k = 0; k < positions.length; k++) if (isFloatPosition(positions[k], floats, start, count, alwaysFloat)) out.push(positions[k]);
  return out;
}

function isFloatPosition(p: number, floats: Uint8Array, start: number, count: number, alwaysFloat: readonly number[] | undefined): boolean {
  return p < count && floats[start + p] === 1 && !alwaysFloat?.includes(p);
}

function anyUngrouped(floats: Uint8Array, groups: Int32Array, start: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (floats[start + k] && groups[start + k] < 0) return true;
  return false;
}

function ungrouped(floats: Uint8Array, groups: Int32Array, start: number, count: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) if (floats[start + k] && groups[start + k] < 0) out.push(k);
  return out;
}

export function buildPlanningProblem(model: IrModel, types: TypeOracle): PlanningProblem {
  const groups: PlanGroup[] = [];
  const inputGroups: Int32Array[] = [];
  const outputGroups: Int32Array[] = [];
  // Per graph, per value id (ir.ts): stored data, i.e. a float Constant output or an initializer (not one
  // that is also a main-graph input, which the caller feeds); arrays, not Sets of names.
  const stored: Uint8Array[] = model.graphs.map((g) => {
    const flags = new Uint8Array(g.valueNames.length);
    for (const name of g.initializers.keys()) if (!(g.id === 0 && g.graphInputs.has(name))) flags[g.valueId.get(name)!] = 1;
    return flags;
  });
  // Body formal inputs and outputs tied to a control-flow group (by graph id, by position; -1: untied).
  const bodyInputTie: Int32Array[] = model.graphs.map((g) => new Int32Array((g.proto.input ?? []).length).fill(-1));
  const bodyOutputTie: Int32Array[] = model.graphs.map((g) => new Int32Array((g.proto.output ?? []).length).fill(-1));
  const opset = model.opsets.get('') ?? 1;

  const addGroup = (group: PlanGroup) => groups.push(group) - 1;
  // One literal in one key order for every group (no `{ ...base }` spread per group: that was a third of
  // this function's time on a 44k-node graph), so the objects also share one hidden class.
  const nodeGroup = (graph: IrGraph, node: number, inputs: number[], outputs: number[], cls: GroupClass, allowsBfloat16: boolean | undefined, opType: string, domain: string, nodeName: string): number =>
    addGroup({ graph, node, inputs, outputs, cls, allowsBfloat16, opType, domain, nodeName });
  // bfloat16 exists in ai.onnx from opset 13 (Cast, and the float ops' constraints); below it nothing may be bf16.
  const bf16Opset = opset >= LOW_FORMATS.bf16.minOpset;

  for (const graph of model.graphs) {
    // Whether each value the graph defines is float32: by value id, not one lookup per slot that reads it; a
    // slot reading an enclosing graph's value (id -1, a name) asks the oracle by name.
    const { valueNames, inputIds, inputStart, outputIds, outputStart } = graph;
    const typeById = types.elemTypesById(graph);
    const floatById = new Uint8Array(valueNames.length);
    for (let id = 0; id < valueNames.length; id++) if (typeById[id] === FLOAT) floatById[id] = 1;
    // Per input and output slot, flat like the IR's inputIds/outputIds: whether it holds a float32 value
    // (two arrays per graph, not two per node).
    const floatIn = new Uint8Array(inputIds.length);
    const floatOut = new Uint8Array(outputIds.length);
    for (let n = 0; n < graph.nodes.length; n++) {
      markFloatSlots(floatIn, graph.nodes[n].input, inputIds, inputStart[n], floatById, graph, types);
      markFloatSlots(floatOut, graph.nodes[n].output, outputIds, outputStart[n], floatById, graph, types);
    }
    // Each node's slot groups are a view into one array per graph (for inputs, one for outputs): two
    // Int32Arrays per node, each with its own buffer, were 16 MB of a 44k-node graph's allocations. The
    // slots are laid out as the IR's inputIds/outputIds are.
    const allIn = new Int32Array(inputIds.length).fill(-1);
    const allOut = new Int32Array(outputIds.length).fill(-1);
    for (let n = 0; n < graph.nodes.length; n++) {
      const node = graph.nodes[n];
      const inBase = inputStart[n]; // this node's slots in allIn / allOut, floatIn / floatOut
      const outBase = outputStart[n];
      const inCount = inputStart[n + 1] - inBase;
      const outCount = outputStart[n + 1] - outBase;
      const domain = normalizeDomain(node.domain);
      if (isConstantNode(node.opType, domain)) {
        for (let k = outputStart[n]; k < outputStart[n + 1]; k++) {
          const id = outputIds[k];
          if (id >= 0 && floatById[id]) stored[graph.id][id] = 1;
        }
        continue;
      }
      if (!anySet(floatIn, inBase, inCount) && !anySet(floatOut, outBase, outCount)) continue;
      const opType = node.opType ?? '';
      const nodeName = node.name ?? '';
      const controlFlow = CONTROL_FLOW_OPS.has(node.opType ?? '') && domain === '';
      if (controlFlow) {
        // One free group per tensor the node carries across its boundary (If output k with each branch's
        // output k; a Loop-carried value with its body input and output; ...). Mixed or unknown types keep
        // the original fp32 interface (the rest group below and the bodies' own pseudo groups).
        for (const tie of controlFlowTies(node, graph.subgraphs.get(n) ?? [], opset) ?? []) {
          const outerIn = tie.outerInputs.filter((i) => node.input?.[i]);
          const outerOut = tie.outerOutputs.filter((o) => node.output?.[o]);
          const bodyIn = tie.bodyInputs.filter((s) => s.graph.proto.input?.[s.index]?.name);
          const bodyOut = tie.bodyOutputs.filter((s) => s.graph.proto.output?.[s.index]?.name);
          const floats = [
            ...outerIn.map((i) => floatIn[inBase + i] === 1),
            ...outerOut.map((o) => floatOut[outBase + o] === 1),
            ...bodyIn.map((s) => types.elemType(s.graph, s.graph.proto.input![s.index].name!) === FLOAT),
            ...bodyOut.map((s) => types.elemType(s.graph, s.graph.proto.output![s.index].name!) === FLOAT),
          ];
          if (!floats.length || !floats.every(Boolean)) continue;
          const id = nodeGroup(graph, n, outerIn, outerOut, 'free', bf16Opset, opType, domain, nodeName);
          for (const i of outerIn) allIn[inBase + i] = id;
          for (const o of outerOut) allOut[outBase + o] = id;
          for (const s of bodyIn) bodyInputTie[s.graph.id][s.index] = id;
          for (const s of bodyOut) bodyOutputTie[s.graph.id][s.index] = id;
        }
      }
      const schemaGroups = controlFlow ? undefined : types.slotGroups(graph, node);
      // onnxruntime's kernels that read some float inputs as float only (its ALWAYS_FLOAT_INPUTS: CUDA
      // GroupNorm refuses float16 gamma/beta at run time even though the schema's M admits it) keep those
      // inputs fp32 whatever the rest of the node does.
      const alwaysFloat = ORT_ALWAYS_FLOAT_INPUTS_BY_DOMAIN[domain]?.[node.opType ?? ''];
      for (let g = 0; schemaGroups && g < schemaGroups.length; g++) {
        const sg = schemaGroups[g];
        const inputs = floatPositions(sg.inputs, floatIn, inBase, inCount, alwaysFloat);
        const outputs = floatPositions(sg.outputs, floatOut, outBase, outCount, undefined);
        if (!inputs.length && !outputs.length) continue;
        // A type parameter bound by no input is set by an attribute; only some of those can be retargeted.
        const attributeTyped = sg.inputs.length === 0 && !RETARGETABLE_OUTPUT_OPS.has(node.opType ?? '');
        const cls: GroupClass = !sg.allowsFloat16 || attributeTyped || (domain === '' && FP32_FUNCTION_OPS.has(node.opType ?? '')) ? 'spec-fp32' : FREE_OPS.has(node.opType ?? '') ? 'free' : 'compute';
        const id = nodeGroup(graph, n, inputs, outputs, cls, bf16Opset && sg.allowsBfloat16 === true, opType, domain, nodeName);
        for (let k = 0; k < inputs.length; k++) allIn[inBase + inputs[k]] = id;
        for (let k = 0; k < outputs.length; k++) allOut[outBase + outputs[k]] = id;
      }
      // Float slots no schema group covers (opaque ops, control flow, fixed-type slots) keep fp32; the lists
      // are made only for the few nodes that have such slots.
      if (!anyUngrouped(floatIn, allIn, inBase, inCount) && !anyUngrouped(floatOut, allOut, outBase, outCount)) continue;
      const restIn = ungrouped(floatIn, allIn, inBase, inCount);
      const restOut = ungrouped(floatOut, allOut, outBase, outCount);
      const id = nodeGroup(graph, n, restIn, restOut, 'spec-fp32', undefined, opType, domain, nodeName);
      for (let k = 0; k < restIn.length; k++) allIn[inBase + restIn[k]] = id;
      for (let k = 0; k < restOut.length; k++) allOut[outBase + restOut[k]] = id;
    }
    inputGroups.push(allIn);
    outputGroups.push(allOut);
  }

  // Values: float32 values produced by a node or a graph input; stored data is handled apart. Indexes are
  // per graph (arrays by graph id) so the hot loops below do no string building.
  const values: PlanValue[] = [];
  // per graph, per value id: index in `values`, -1 for none
  const valueIndex: Int32Array[] = model.graphs.map((g) => new Int32Array(g.valueNames.length).fill(-1));
  const storedReads: StoredRead[] = [];
  const graphOutputGroups: Int32Array[] = model.graphs.map((g) => new Int32Array(g.outputs.length).fill(-1));
  const defining = (graph: IrGraph, name: string): IrGraph | undefined => {
    for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) {
      if (g.valueId.has(name)) return g;
    }
    return undefined;
  };
  const isStored = (owner: IrGraph, name: string) => stored[owner.id][owner.valueId.get(name)!] === 1;

  for (const graph of model.graphs) {
    const isMain = graph.id === 0;
    const index = valueIndex[graph.id];
    for (const [k, vi] of (graph.proto.input ?? []).entries()) {
      const name = vi.name ?? '';
      if (graph.initializers.has(name) || types.elemType(graph, name) !== FLOAT) continue;
      // Main-graph inputs follow the recipe; a body input is produced by its control-flow tie, or keeps
      // the op's original type when it has none.
      const tie = bodyInputTie[graph.id][k];
      const group = tie >= 0 ? tie : nodeGroup(graph, -1, [], [], isMain ? 'graph-input' : 'spec-fp32', bf16Opset, 'input', '', name);
      const id = graph.valueId.get(name)!;
      index[id] = values.push({ graph, name, id, producer: group, consumers: NO_GROUPS, readers: NO_READERS }) - 1;
    }
    const outs = outputGroups[graph.id];
    for (let n = 0; n < graph.nodes.length; n++) {
      const names = graph.nodes[n].output ?? [];
      const start = graph.outputStart[n];
      for (let slot = 0; slot < names.length; slot++) {
        const group = outs[start + slot];
        if (group < 0) continue;
        const id = graph.outputIds[start + slot];
        index[id] = values.push({ graph, name: names[slot], id, producer: group, consumers: NO_GROUPS, readers: NO_READERS }) - 1;
      }
    }
  }
  for (const graph of model.graphs) {
    const ins = inputGroups[graph.id];
    for (let n = 0; n < graph.nodes.length; n++) {
      const names = graph.nodes[n].input ?? [];
      for (let slot = 0; slot < names.length; slot++) {
        const group = ins[graph.inputStart[n] + slot];
        if (group < 0) continue;
        const name = names[slot];
        // a local value by its id; an enclosing graph's by name, in the graph that defines it
        const local = graph.inputIds[graph.inputStart[n] + slot];
        const owner = local >= 0 ? graph : defining(graph, name)!;
        const id = local >= 0 ? local : owner.valueId.get(name)!;
        if (stored[owner.id][id]) {
          storedReads.push({ graph, node: n, slot, group, ownerGraph: owner, name, id });
          continue;
        }
        const v = valueIndex[owner.id][id];
        if (v >= 0) values[v].readers = appended(values[v].readers, { graph, node: n, slot, group });
      }
    }
    graph.outputs.forEach((name, k) => {
      const owner = defining(graph, name);
      if (!owner) return;
      const tie = bodyOutputTie[graph.id][k];
      // A body may return stored data (a Constant, an initializer): stored in the tie's precision.
      if (graph.id !== 0 && isStored(owner, name)) {
        if (tie < 0) return;
        storedReads.push({ graph, node: -1, slot: k, group: tie, ownerGraph: owner, name, id: owner.valueId.get(name)! });
        graphOutputGroups[graph.id][k] = tie;
        return;
      }
      const v = valueIndex[owner.id][owner.valueId.get(name)!];
      if (v < 0) return;
      const cls: GroupClass = graph.id === 0 ? 'graph-output' : 'spec-fp32';
      const group = tie >= 0 ? tie : addGroup({ graph, node: -1, inputs: [], outputs: [], cls, allowsBfloat16: bf16Opset, opType: 'output', domain: '', nodeName: name });
      values[v].readers = appended(values[v].readers, { graph, node: -1, slot: k, group });
      graphOutputGroups[graph.id][k] = group;
    });
  }
  // Distinct consumer groups through a short array, not a Set per value (44k Sets on a 44k-node graph):
  // a value has a handful of readers.
  for (let v = 0; v < values.length; v++) {
    const value = values[v];
    let consumers = NO_GROUPS;
    const readers = value.readers;
    for (let k = 0; k < readers.length; k++) {
      const group = readers[k].group;
      if (group !== value.producer && !consumers.includes(group)) consumers = appended(consumers, group);
    }
    value.consumers = consumers.length > 1 ? consumers.sort((a, b) => a - b) : consumers;
  }
  return { model, types, valueShape: shapeOf, topology: { groupCount: groups.length, values }, groups, values, storedReads, inputGroups, outputGroups, graphOutputGroups };
}

const valueInfoCache = new WeakMap<IrGraph, Map<string, ValueInfoProto>>();

/** Declared shape of a value from graph inputs, outputs and value_info; undefined when not declared. */
export function shapeOf(graph: IrGraph, name: string): (number | string)[] | undefined {
  let infos = valueInfoCache.get(graph);
  if (!infos) {
    infos = new Map();
    for (const v of [...(graph.proto.input ?? []), ...(graph.proto.valueInfo ?? []), ...(graph.proto.output ?? [])]) {
      if (v.name && !infos.has(v.name)) infos.set(v.name, v);
    }
    valueInfoCache.set(graph, infos);
  }
  const dims = infos.get(name)?.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? toNumber(d.dimValue) : '?'));
}
