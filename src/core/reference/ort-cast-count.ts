// How many Cast nodes onnxruntime's convert_float_to_float16 (onnxruntime.transformers.float16, 1.30)
// leaves in the model for the same block list, so every screen can show both counts. This models that
// tool's rules, not ours: after onnx shape inference every float value with a known type is retyped to
// fp16, and then each blocked node gets its own Cast per fp16 input position and per fp16 output, so a
// value between two blocked nodes costs two Casts and a value read by k blocked nodes costs k.
// The recipe-independent part is computed once per model; a count per recipe is one pass over the nodes.
import type { Recipe } from '../api';
import { normalizeDomain, type IrGraph, type IrModel } from '../ir';
import { DataType } from '../onnx/proto-types';
import { makeBlockMatcher } from '../recipe';
import { ORT_ALWAYS_FLOAT_INPUTS } from '../plan/op-classes';

export interface ElementTypeLookup {
  /** Per value id of `graph`, its element type (0: unknown), as TypeOracle.elemTypesById. */
  elemTypesById(graph: IrGraph): Int32Array;
}

/** Domains onnx's shape inference knows; outputs of other domains get no inferred type (no value_info). */
const INFERABLE_DOMAINS = new Set(['', 'ai.onnx.ml', 'ai.onnx.preview.training']);

/** What the tool sees at one input or output slot. */
const NOT_FP16 = 0;
const FP16 = 1; // a float value the tool retypes (graph io, value_info, inferred outputs)
const INITIALIZER = 2; // a float initializer: fp16 only when some unblocked node reads it

interface GraphFacts {
  graph: IrGraph;
  /** Codes of every node's input slots, flattened: node n's slots start at inputStart[n]. */
  inputCodes: Uint8Array;
  inputStart: Int32Array;
  /** Per node, how many of its outputs the tool retypes to fp16. */
  fp16Outputs: Uint16Array;
  /** Nodes that read float initializers, with the names and positions. */
  initializerReads: Map<number, { name: string; slot: number }[]>;
}

/**
 * A set of names seen from one graph: its own values as flags by value id (ir.ts), any other name (a
 * value_info entry for an enclosing graph's value, or for nothing) in a Set.
 */
class NameFlags {
  readonly flags: Uint8Array;
  private readonly others = new Set<string>();
  constructor(private readonly graph: IrGraph) {
    this.flags = new Uint8Array(graph.valueNames.length);
  }
  add(name: string): void {
    const id = this.graph.valueId.get(name);
    if (id !== undefined) this.flags[id] = 1;
    else this.others.add(name);
  }
  has(name: string): boolean {
    const id = this.graph.valueId.get(name);
    return id !== undefined ? this.flags[id] === 1 : this.others.size > 0 && this.others.has(name);
  }
}

export class OrtReferenceCounter {
  private readonly facts: GraphFacts[];
  /** Cast nodes already in the model, subgraphs included. */
  readonly existingCasts: number;
  private readonly floatIo: number;

  constructor(private readonly model: IrModel, types: ElementTypeLookup) {
    let existing = 0; // counted in the pass over every node below
    const main = model.main;
    const isFloat = (t: number | undefined) => t === DataType.FLOAT;
    this.floatIo =
      (main.proto.input ?? []).filter((vi) => isFloat(vi.type?.tensorType?.elemType) && !main.initializers.has(vi.name ?? '')).length +
      (main.proto.output ?? []).filter((vi) => isFloat(vi.type?.tensorType?.elemType)).length;
    // The tool keeps one value_info list for the whole model and matches blocked nodes' inputs by name, so a
    // value a body reads from an enclosing scope is fp16 there too: each graph sees its ancestors' sets.
    const ownFp16 = model.graphs.map((graph) => {
      const fp16 = new NameFlags(graph);
      // Graph inputs and outputs are always retyped (or, with keep_io_types, replaced by fp16 renamed copies).
      for (const vi of [...(graph.proto.input ?? []), ...(graph.proto.output ?? [])]) if (isFloat(vi.type?.tensorType?.elemType)) fp16.add(vi.name ?? '');
      // Every float value_info entry is retyped, whatever it names: exporters (the dynamo exporter among
      // them) declare value_info for initializers too, which then count as fp16 for blocked readers.
      for (const vi of graph.proto.valueInfo ?? []) if (isFloat(vi.type?.tensorType?.elemType)) fp16.add(vi.name ?? '');
      const typeById = types.elemTypesById(graph);
      for (let n = 0; n < graph.nodes.length; n++) {
        const domain = normalizeDomain(graph.nodes[n].domain);
        if (domain === '' && graph.nodes[n].opType === 'Cast') existing++;
        if (!INFERABLE_DOMAINS.has(domain)) continue;
        for (let k = graph.outputStart[n]; k < graph.outputStart[n + 1]; k++) {
          const id = graph.outputIds[k];
          if (id >= 0 && isFloat(typeById[id])) fp16.flags[id] = 1;
        }
      }
      return fp16;
    });
    this.existingCasts = existing;
    this.facts = model.graphs.map((graph) => {
      const own = ownFp16[graph.id];
      const outer: NameFlags[] = [];
      for (let g = graph.parent?.graph; g; g = g.parent?.graph) outer.push(ownFp16[g.id]);
      // a slot's value (its id in this graph, -1 for none) is fp16 in this graph or an enclosing one;
      // loops, not closures over arrays: this runs for every input and output of every node
      const fp16 = (name: string, id: number): boolean => {
        if (id >= 0 ? own.flags[id] === 1 : own.has(name)) return true;
        for (let k = 0; k < outer.length; k++) if (outer[k].has(name)) return true;
        return false;
      };
      // float initializers no scope retypes: this graph's by id, enclosing graphs' by name
      const floatInitializers = new NameFlags(graph);
      const outerInitializers = new Set<string>();
      for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) {
        for (const [name, t] of g.initializers) {
          if (t.dataType !== DataType.FLOAT || fp16(name, g === graph ? graph.valueId.get(name)! : -1)) continue;
          if (g === graph) floatInitializers.add(name);
          else outerInitializers.add(name);
        }
      }
      const code = (name: string, id: number) =>
        !name ? NOT_FP16
        : fp16(name, id) ? FP16
        : (id >= 0 ? floatInitializers.flags[id] === 1 : floatInitializers.has(name)) || (outerInitializers.size > 0 && outerInitializers.has(name)) ? INITIALIZER
        : NOT_FP16;
      const inputStart = graph.inputStart;
      const inputCodes = new Uint8Array(inputStart[graph.nodes.length]);
      const fp16Outputs = new Uint16Array(graph.nodes.length);
      const initializerReads = new Map<number, { name: string; slot: number }[]>();
      // A graph with no enclosing scope (the main graph) codes a slot of its own values by id alone: the
      // flags, without the closures that also consult enclosing graphs by name.
      const byIdOnly = outer.length === 0 && outerInitializers.size === 0;
      const ownFlags = own.flags;
      const initializerFlags = floatInitializers.flags;
      // indexed, no closure per node: every node of every graph
      for (let n = 0; n < graph.nodes.length; n++) {
        const node = graph.nodes[n];
        const inputs = node.input ?? [];
        for (let i = 0; i < inputs.length; i++) {
          const id = graph.inputIds[inputStart[n] + i];
          const c = byIdOnly && id >= 0 ? (ownFlags[id] === 1 ? FP16 : initializerFlags[id] === 1 ? INITIALIZER : NOT_FP16) : code(inputs[i], id);
          inputCodes[inputStart[n] + i] = c;
          if (c === INITIALIZER) {
            const list = initializerReads.get(n) ?? [];
            list.push({ name: inputs[i], slot: i });
            initializerReads.set(n, list);
          }
        }
        const outputs = node.output ?? [];
        for (let k = 0; k < outputs.length; k++) {
          const id = graph.outputIds[graph.outputStart[n] + k];
          if (byIdOnly && id >= 0 ? ownFlags[id] === 1 : !!outputs[k] && fp16(outputs[k], id)) fp16Outputs[n]++;
        }
      }
      return { graph, inputCodes, inputStart, fp16Outputs, initializerReads };
    });
  }

  count(recipe: Recipe): number {
    const matcher = makeBlockMatcher(recipe);
    // The tool walks the main graph and the subgraphs of nodes it does not block, Resize/GroupNorm aside.
    const traversed: GraphFacts[] = [];
    const blockedByGraph = new Map<IrGraph, Uint8Array>();
    const queue = [this.model.main];
    while (queue.length) {
      const graph = queue.shift()!;
      traversed.push(this.facts[graph.id]);
      const blocked = new Uint8Array(graph.nodes.length);
      for (let n = 0; n < graph.nodes.length; n++) if (matcher(graph.nodes[n].opType ?? '', graph.nodes[n].name ?? '')) blocked[n] = 1;
      blockedByGraph.set(graph, blocked);
      for (const [n, bodies] of graph.subgraphs) {
        if (!blocked[n] && !((graph.nodes[n].opType ?? '') in ORT_ALWAYS_FLOAT_INPUTS)) for (const b of bodies) queue.push(b.graph);
      }
    }
    // Float initializers read by an unblocked node (outside an always-float position) become fp16.
    const fp16Initializers = new Set<string>();
    for (const facts of traversed) {
      const blocked = blockedByGraph.get(facts.graph)!;
      facts.initializerReads.forEach((reads, n) => {
        if (blocked[n]) return;
        const alwaysFloat = ORT_ALWAYS_FLOAT_INPUTS[facts.graph.nodes[n].opType ?? ''];
        for (const r of reads) if (!alwaysFloat?.includes(r.slot)) fp16Initializers.add(r.name);
      });
    }
    let casts = this.existingCasts + (recipe.keepIoTypes ? this.floatIo : 0);
    for (const facts of traversed) {
      const blocked = blockedByGraph.get(facts.graph)!;
      const nodes = facts.graph.nodes;
      for (let n = 0; n < nodes.length; n++) {
        const node = nodes[n];
        const alwaysFloat = ORT_ALWAYS_FLOAT_INPUTS[node.opType ?? ''];
        if (!blocked[n] && !alwaysFloat) continue;
        const start = facts.inputStart[n];
        const end = facts.inputStart[n + 1];
        for (let i = 0; i < end - start; i++) {
          if (!blocked[n] && !alwaysFloat.includes(i)) continue;
          const c = facts.inputCodes[start + i];
          if (c === FP16 || (c === INITIALIZER && fp16Initializers.has(node.input![i]))) casts++;
        }
        if (blocked[n]) casts += facts.fp16Outputs[n];
      }
    }
    return casts;
  }
}
