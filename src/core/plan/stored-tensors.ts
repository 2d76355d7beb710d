// Stored data as the planner sees it: initializers and the tensors held by Constant nodes (paddle2onnx and
// some exporters keep every weight in a Constant node). Byte totals, fp16 shares and clamp counts must see
// both, or a Constant-weight model reads "weights 0 B" while the converter clamps its values.
import { tensorBytes } from '../external-data';
import type { IrGraph } from '../ir';
import { normalizeDomain } from '../ir';
import { DataType, type NodeProto, type TensorProto } from '../onnx/proto-types';
import { countFloat16Loss, type Fp16Stats } from '../rewrite/fp16';
import { isConstantNode } from './op-classes';

/** The tensor a Constant node outputs, for the float forms a weight can take (value, value_float(s)). */
export function constantNodeTensor(node: NodeProto): TensorProto | undefined {
  if (!isConstantNode(node.opType, normalizeDomain(node.domain))) return undefined;
  for (const attribute of node.attribute ?? []) {
    if (attribute.name === 'value' && attribute.t) return attribute.t;
    if (attribute.name === 'value_float') return floatTensor([], [attribute.f ?? 0]);
    if (attribute.name === 'value_floats') {
      const floats = attribute.floats ?? [];
      return floatTensor([floats.length], floats);
    }
  }
  return undefined;
}

function floatTensor(dims: number[], values: number[]): TensorProto {
  return { dims, dataType: DataType.FLOAT, rawData: new Uint8Array(new Float32Array(values).buffer) };
}

/** The stored tensor behind a name in the graph that owns it: an initializer or a Constant node's output. */
export function storedTensor(owner: IrGraph, name: string): TensorProto | undefined {
  const initializer = owner.initializers.get(name);
  if (initializer) return initializer;
  const id = owner.valueId.get(name);
  const node = id === undefined ? -1 : owner.producerNode[id];
  return node >= 0 ? constantNodeTensor(owner.nodes[node]) : undefined;
}

/** Every stored tensor of every graph, once: initializers, then Constant nodes' tensors. */
export function* allStoredTensors(graphs: readonly IrGraph[]): Generator<{ graph: IrGraph; name: string; tensor: TensorProto }> {
  const found: { graph: IrGraph; name: string; tensor: TensorProto }[] = [];
  forEachStoredTensor(graphs, (graph, name, tensor) => found.push({ graph, name, tensor }));
  yield* found;
}

/**
 * allStoredTensors' tensors, in its order, handed to `visit`: no generator step and no entry object per
 * tensor, and only Constant nodes looked into (the report's weight share walks every node of a 44k-node graph).
 */
export function forEachStoredTensor(graphs: readonly IrGraph[], visit: (graph: IrGraph, name: string, tensor: TensorProto) => void): void {
  for (const graph of graphs) {
    for (const [name, tensor] of graph.initializers) visit(graph, name, tensor);
    const nodes = graph.nodes;
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n];
      if (node.opType !== 'Constant') continue; // constantNodeTensor's own first test, without its domain lookup
      const tensor = constantNodeTensor(node);
      const name = node.output?.[0];
      if (tensor && name && !graph.initializers.has(name)) visit(graph, name, tensor);
    }
  }
}

/** Bytes of a tensor's data as stored (0 when it has none the engine can read, e.g. strings). */
export function storedByteLength(tensor: TensorProto): number {
  return tensorBytes(tensor)?.byteLength ?? 0;
}

/** What storing a float32 tensor as fp16 would cost; zero for any other element type. */
export function fp16Loss(tensor: TensorProto): Fp16Stats {
  const loss: Fp16Stats = { clamped: 0, raised: 0 };
  if (tensor.dataType !== DataType.FLOAT) return loss;
  const bytes = tensorBytes(tensor);
  if (bytes) countFloat16Loss(bytes, loss);
  return loss;
}
