// How many Cast nodes onnxruntime's convert_float_to_float16 (onnxruntime.transformers.float16, 1.30)
// leaves in the model for the same block list, so every screen can show both counts. This models that
// tool's rules, not ours: after onnx shape inference every float value with a known type is retyped to
// fp16, and then each blocked node gets its own Cast per fp16 input position and per fp16 output, so a
// value between two blocked nodes costs two Casts and a value read by k blocked nodes costs k.
import type { Recipe } from '../api';
import { normalizeDomain, type IrGraph, type IrModel } from '../ir';
import { DataType, type NodeProto } from '../onnx/proto-types';
import { makeBlockMatcher } from '../recipe';
import { ORT_ALWAYS_FLOAT_INPUTS } from '../plan/op-classes';

export interface ElementTypeLookup {
  elemType(graph: IrGraph, name: string): number | undefined;
}

/** Domains onnx's shape inference knows; outputs of other domains get no inferred type (no value_info). */
const INFERABLE_DOMAINS = new Set(['', 'ai.onnx.ml', 'ai.onnx.preview.training']);

export function ortReferenceCastCount(model: IrModel, types: ElementTypeLookup, recipe: Recipe): number {
  const blocked = makeBlockMatcher(recipe);
  const isBlocked = (node: NodeProto) => blocked(node.opType ?? '', node.name ?? '') !== undefined;
  const main = model.main;
  let casts = 0;

  // Existing Casts are all kept (blocked ones as they are, others retargeted).
  for (const graph of model.graphs) for (const node of graph.nodes) if (node.opType === 'Cast' && !normalizeDomain(node.domain)) casts++;

  // keep_io_types: one Cast per float graph input and output; the renamed values are fp16.
  const fp16Names = new Set<string>();
  const ioSkipped = new Set<string>();
  const rename = new Map<string, string>();
  if (recipe.keepIoTypes) {
    (main.proto.input ?? []).forEach((vi, i) => {
      if (vi.type?.tensorType?.elemType === DataType.FLOAT && !main.initializers.has(vi.name ?? '')) {
        casts++;
        rename.set(vi.name ?? '', `graph_input_cast_${i}`);
        fp16Names.add(`graph_input_cast_${i}`);
        ioSkipped.add(vi.name ?? '');
      }
    });
    (main.proto.output ?? []).forEach((vi, i) => {
      if (vi.type?.tensorType?.elemType === DataType.FLOAT) {
        casts++;
        rename.set(vi.name ?? '', `graph_output_cast_${i}`);
        fp16Names.add(`graph_output_cast_${i}`);
        ioSkipped.add(vi.name ?? '');
      }
    });
  }
  const renamed = (name: string) => rename.get(name) ?? name;

  // The tool walks the main graph and the subgraphs of nodes it does not block (breadth first).
  const traversed: IrGraph[] = [];
  const queue: IrGraph[] = [main];
  while (queue.length) {
    const graph = queue.shift()!;
    traversed.push(graph);
    graph.nodes.forEach((node, n) => {
      if (isBlocked(node)) return;
      if ((node.opType ?? '') in ORT_ALWAYS_FLOAT_INPUTS) return; // it does not descend into Resize/GroupNorm attributes
      for (const sub of graph.subgraphs.get(n) ?? []) queue.push(sub.graph);
    });
  }

  // Values shape inference types as float: graph inputs/outputs and inferable intermediate values.
  const initializerUse = new Map<string, { fp16: boolean }>();
  for (const graph of traversed) {
    for (const [name, t] of graph.initializers) if (t.dataType === DataType.FLOAT) initializerUse.set(name, { fp16: false });
    for (const vi of [...(graph.proto.input ?? []), ...(graph.proto.output ?? [])]) {
      const name = vi.name ?? '';
      if (vi.type?.tensorType?.elemType === DataType.FLOAT && !ioSkipped.has(name)) fp16Names.add(name);
    }
    // Every float value_info entry is retyped, whatever it names: exporters (the dynamo exporter among
    // them) declare value_info for initializers too, which then count as fp16 for blocked readers.
    for (const vi of graph.proto.valueInfo ?? []) {
      if (vi.type?.tensorType?.elemType === DataType.FLOAT && !ioSkipped.has(vi.name ?? '')) fp16Names.add(vi.name ?? '');
    }
    for (const node of graph.nodes) {
      if (!INFERABLE_DOMAINS.has(normalizeDomain(node.domain))) continue;
      for (const out of node.output ?? []) {
        if (out && !ioSkipped.has(out) && types.elemType(graph, out) === DataType.FLOAT) fp16Names.add(out);
      }
    }
  }
  for (const graph of traversed) {
    for (const node of graph.nodes) {
      const nodeBlocked = isBlocked(node);
      const alwaysFloat = ORT_ALWAYS_FLOAT_INPUTS[node.opType ?? ''] ?? [];
      (node.input ?? []).forEach((name, i) => {
        const use = initializerUse.get(name);
        if (use && !nodeBlocked && !alwaysFloat.includes(i)) use.fp16 = true;
      });
    }
  }
  for (const [name, use] of initializerUse) if (use.fp16) fp16Names.add(name);

  for (const graph of traversed) {
    for (const node of graph.nodes) {
      const nodeBlocked = isBlocked(node);
      const alwaysFloat = ORT_ALWAYS_FLOAT_INPUTS[node.opType ?? ''];
      if (!nodeBlocked && !alwaysFloat) continue;
      (node.input ?? []).forEach((name, i) => {
        if (!name) return;
        if (!nodeBlocked && !alwaysFloat.includes(i)) return;
        if (fp16Names.has(renamed(name))) casts++;
      });
      if (nodeBlocked) for (const out of node.output ?? []) if (out && fp16Names.has(renamed(out))) casts++;
    }
  }
  return casts;
}
