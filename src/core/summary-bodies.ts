// The If/Loop/Scan bodies in the model summary: their nodes (flat indices after the main graph's), their
// values, and which nodes read what across scope boundaries, so the graph view can draw a body's nodes,
// the edges from outer values into them, and the edge from a body's result back to its If/Loop/Scan.
import type { BodySummary, NodeSummary, ValueSummary } from './api';
import { tensorBytes } from './external-data';
import { bodyScope, flatIndex, flatNodes, parentNodeIndex, scopePath, type FlatNodes } from './flat-nodes';
import { normalizeDomain, type IrGraph, type IrModel } from './ir';
import { DataType, toNumber, type NodeProto } from './onnx/proto-types';
import { shapeOf } from './plan/constraints';

export interface ElemTypes {
  elemType(graph: IrGraph, name: string): number | undefined;
}

/**
 * What a node reads: its inputs, and for an If/Loop/Scan whatever its bodies read from outside them (an
 * If's results depend on those, not only on its bool condition).
 */
export function nodeReads(graph: IrGraph, node: number): string[] {
  const inputs = graph.nodes[node].input ?? [];
  const bodies = graph.subgraphs.get(node);
  if (!bodies) return inputs;
  return [...inputs, ...bodies.flatMap((b) => [...b.graph.outerReads])];
}

/** The graph that defines a name seen from `graph` (itself or an enclosing scope). */
function definingGraph(graph: IrGraph, name: string): IrGraph | undefined {
  for (let g: IrGraph | undefined = graph; g; g = g.parent?.graph) {
    if (g.producer.has(name) || g.graphInputs.has(name) || g.initializers.has(name)) return g;
  }
  return undefined;
}

/**
 * Per value (keyed by defining graph id and name), the flat indices of the nodes that read it in any
 * graph, plus, for a body output, the If/Loop/Scan node that receives it.
 */
export function readersAcrossScopes(model: IrModel): Map<string, number[]> {
  const flat = flatNodes(model);
  const readers = new Map<string, number[]>();
  const add = (owner: IrGraph, name: string, node: number) => {
    const key = `${owner.id}\u0000${name}`;
    const list = readers.get(key);
    if (!list) readers.set(key, [node]);
    else if (list[list.length - 1] !== node) list.push(node);
  };
  for (const graph of model.graphs) {
    graph.nodes.forEach((node, n) => {
      for (const name of node.input ?? []) {
        if (!name) continue;
        const owner = definingGraph(graph, name);
        if (owner) add(owner, name, flatIndex(flat, graph, n));
      }
    });
    if (graph.parent) {
      const parent = parentNodeIndex(flat, graph);
      for (const name of graph.outputs) {
        const owner = definingGraph(graph, name);
        if (owner) add(owner, name, parent);
      }
    }
  }
  return readers;
}

/** Float element types: a node that touches none of them carries no float data and folds away in the view. */
export function isFloatData(elemType: number | undefined): boolean {
  return elemType === DataType.FLOAT || elemType === DataType.FLOAT16 || elemType === DataType.DOUBLE || elemType === DataType.BFLOAT16;
}

export interface BodiesSummary {
  nodes: NodeSummary[];
  values: ValueSummary[];
  bodies: BodySummary[];
}

/** Summaries of every body's nodes and values; `describe` gives a node's attributes as text. */
export function summarizeBodies(
  model: IrModel,
  types: ElemTypes,
  readers: Map<string, number[]>,
  describe: (node: NodeProto) => Record<string, string>,
): BodiesSummary {
  const flat: FlatNodes = flatNodes(model);
  const nodes: NodeSummary[] = [];
  const values: ValueSummary[] = [];
  const bodies: BodySummary[] = [];
  // Static nodes (weights, Constants, shapes and what follows from them alone) fold away as in the main graph.
  const staticNode = new Uint8Array(flat.total);
  const isStatic = (graph: IrGraph, name: string): boolean => {
    if (!name) return true;
    const owner = definingGraph(graph, name);
    if (!owner) return false;
    const p = owner.producer.get(name);
    if (p) return staticNode[flatIndex(flat, owner, p.node)] === 1;
    return owner.initializers.has(name) && !owner.graphInputs.has(name);
  };
  const floatish = (graph: IrGraph, name: string) => isFloatData(types.elemType(graph, name));
  const seen = new Set<string>();
  for (const graph of model.graphs) {
    if (!graph.parent) {
      // Main-graph static flags are needed by bodies that read main values.
      graph.nodes.forEach((node, n) => {
        if (node.opType === 'Shape' || node.opType === 'Size' || nodeReads(graph, n).every((i) => isStatic(graph, i))) staticNode[n] = 1;
      });
      continue;
    }
    const parent = parentNodeIndex(flat, graph);
    const scope = bodyScope(graph);
    const attribute = graph.parent.graph.subgraphs.get(graph.parent.node)?.find((b) => b.graph === graph)?.attribute ?? 'body';
    bodies.push({ graph: graph.id, parentNode: parent, attribute, scope, nodeCount: graph.nodes.length });
    const addValue = (name: string, producer: number) => {
      if (!name || seen.has(name)) return;
      seen.add(name);
      const init = graph.initializers.get(name);
      values.push({
        name,
        elemType: types.elemType(graph, name),
        shape: init ? (init.dims ?? []).map(toNumber) : shapeOf(graph, name),
        producer,
        consumers: readers.get(`${graph.id}\u0000${name}`) ?? [],
        isInitializer: !!init,
        initializerBytes: init ? tensorBytes(init)?.byteLength ?? 0 : 0,
      });
    };
    // A body's formal inputs come from its Loop/Scan node.
    for (const vi of graph.proto.input ?? []) addValue(vi.name ?? '', parent);
    for (const name of graph.initializers.keys()) addValue(name, -1);
    graph.nodes.forEach((node, n) => {
      const index = flatIndex(flat, graph, n);
      const floatTouch = [...(node.input ?? []), ...(node.output ?? [])].some((name) => name && floatish(graph, name));
      if (node.opType === 'Shape' || node.opType === 'Size' || nodeReads(graph, n).every((i) => isStatic(graph, i))) staticNode[index] = 1;
      nodes.push({
        index,
        name: node.name ?? '',
        graph: graph.id,
        path: scopePath(graph, node.name || `${node.opType}#${n}`),
        opType: node.opType ?? '',
        domain: normalizeDomain(node.domain),
        inputs: node.input ?? [],
        outputs: node.output ?? [],
        attributes: describe(node),
        precision: 'none',
        foldable: staticNode[index] === 1 || !floatTouch,
        weightsBeyondFp16: 0, // filled by the engine, which holds the stored-tensor scan
      });
      for (const out of node.output ?? []) addValue(out, index);
    });
  }
  return { nodes, values, bodies };
}
