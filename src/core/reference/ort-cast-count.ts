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
  elemType(graph: IrGraph, name: string): number | undefined;
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

export class OrtReferenceCounter {
  private readonly facts: GraphFacts[];
  /** Cast nodes already in the model, subgraphs included. */
  readonly existingCasts: number;
  private readonly floatIo: number;

  constructor(private readonly model: IrModel, types: ElementTypeLookup) {
    let existing = 0;
    for (const graph of model.graphs) for (const node of graph.nodes) if (node.opType === 'Cast' && !normalizeDomain(node.domain)) existing++;
    this.existingCasts = existing;
    const main = model.main;
    const isFloat = (t: number | undefined) => t === DataType.FLOAT;
    this.floatIo =
      (main.proto.input ?? []).filter((vi) => isFloat(vi.type?.tensorType?.elemType) && !main.initializers.has(vi.name ?? '')).length +
      (main.proto.output ?? []).filter((vi) => isFloat(vi.type?.tensorType?.elemType)).length;
    // The tool keeps one value_info list for the whole model and matches blocked nodes' inputs by name, so a
    // value a body reads from an enclosing scope is fp16 there too: each graph sees its ancestors' sets.
    const ownFp16 = model.graphs.map((graph) => {
      const fp16 = new Set<string>();
      // Graph inputs and outputs are always retyped (or, with keep_io_types, replaced by fp16 renamed copies).
      for (const vi of [...(graph.proto.input ?? []), ...(graph.proto.output ?? [])]) if (isFloat(vi.type?.tensorType?.elemType)) fp16.add(vi.name ?? '');
      // Every float value_info entry is retyped, whatever it names: exporters (the dynamo exporter among
      // them) declare value_info for initializers too, which then count as fp16 for blocked readers.
      for (const vi of graph.proto.valueInfo ?? []) if (isFloat(vi.type?.tensorType?.elemType)) fp16.add(vi.name ?? '');
      for (const node of graph.nodes) {
        if (!INFERABLE_DOMAINS.has(normalizeDomain(node.domain))) continue;
        for (const out of node.output ?? []) if (out && isFloat(types.elemType(graph, out))) fp16.add(out);
      }
      return fp16;
    });
    this.facts = model.graphs.map((graph) => {
      const scopes: Set<string>[] = [];
      for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) scopes.push(ownFp16[g.id]);
      // a loop, not scopes.some(closure): this runs for every input and output of every node
      const fp16 = {
        has: (name: string) => {
          for (let k = 0; k < scopes.length; k++) if (scopes[k].has(name)) return true;
          return false;
        },
      };
      const floatInitializers = new Set<string>();
      for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) {
        for (const [name, t] of g.initializers) if (t.dataType === DataType.FLOAT && !fp16.has(name)) floatInitializers.add(name);
      }
      const code = (name: string) => (!name ? NOT_FP16 : fp16.has(name) ? FP16 : floatInitializers.has(name) ? INITIALIZER : NOT_FP16);
      const inputStart = new Int32Array(graph.nodes.length + 1);
      graph.nodes.forEach((node, n) => (inputStart[n + 1] = inputStart[n] + (node.input?.length ?? 0)));
      const inputCodes = new Uint8Array(inputStart[graph.nodes.length]);
      const fp16Outputs = new Uint16Array(graph.nodes.length);
      const initializerReads = new Map<number, { name: string; slot: number }[]>();
      graph.nodes.forEach((node, n) => {
        const inputs = node.input ?? [];
        for (let i = 0; i < inputs.length; i++) {
          const c = code(inputs[i]);
          inputCodes[inputStart[n] + i] = c;
          if (c === INITIALIZER) {
            const list = initializerReads.get(n) ?? [];
            list.push({ name: inputs[i], slot: i });
            initializerReads.set(n, list);
          }
        }
        for (const o of node.output ?? []) if (o && fp16.has(o)) fp16Outputs[n]++;
      });
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
      const blocked = Uint8Array.from(graph.nodes, (node) => (matcher(node.opType ?? '', node.name ?? '') ? 1 : 0));
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
      facts.graph.nodes.forEach((node, n) => {
        const alwaysFloat = ORT_ALWAYS_FLOAT_INPUTS[node.opType ?? ''];
        if (!blocked[n] && !alwaysFloat) return;
        const start = facts.inputStart[n];
        const end = facts.inputStart[n + 1];
        for (let i = 0; i < end - start; i++) {
          if (!blocked[n] && !alwaysFloat.includes(i)) continue;
          const c = facts.inputCodes[start + i];
          if (c === FP16 || (c === INITIALIZER && fp16Initializers.has(node.input![i]))) casts++;
        }
        if (blocked[n]) casts += facts.fp16Outputs[n];
      });
    }
    return casts;
  }
}
