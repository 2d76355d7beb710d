// Per-node error inside If branches: a graph output cannot name a value of a body, so each If passes its
// branches' float values out as extra outputs. The branch that runs returns its values; the other returns
// an empty tensor in their place (an If's branches must return as many outputs; shapes may differ). Nested
// Ifs lift their values one level at a time. Loop and Scan bodies are left alone: their values change
// every iteration, and the last iteration's values would say little about the error of the others.
import type { IrGraph } from '../ir';
import Long from 'long';
import { AttributeType, DataType, type GraphProto, type NodeProto, type ValueInfoProto } from '../onnx/proto-types';

/** A Constant writing an empty float tensor: what the branch that does not hold a value returns for it. */
function emptyConstant(name: string): NodeProto {
  return { opType: 'Constant', name, input: [], output: [name], attribute: [{ name: 'value', type: AttributeType.TENSOR, t: { name, dims: [Long.fromNumber(0)], dataType: DataType.FLOAT, rawData: new Uint8Array(0) } }] };
}

/** The suffix of an exposed body value's name at each If level (depth 0: an If of the main graph). */
const EXPOSED = '::exposed';

/** The body value an exposed output stands for ("h::exposed0" -> "h"); a main-graph name is itself. */
export function exposedValueName(output: string): string {
  const at = output.lastIndexOf(EXPOSED);
  return at >= 0 && /^\d+$/.test(output.slice(at + EXPOSED.length)) ? output.slice(0, at) : output;
}

interface Lifted {
  /** The name that holds the value in the graph being processed. */
  outer: string;
  /** The body value it is. */
  value: string;
}

const floatInfo = (name: string): ValueInfoProto => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } });

/**
 * Rewrites, in `protos`, every If reachable from `graph` so its branches' float values come out of it;
 * returns the names in `graph` that now hold body values. `isExposable(g, name)` says whether a node
 * output of graph `g` should be exposed (a float value, not a Constant's).
 */
export function liftIfBodies(
  graph: IrGraph,
  protos: Map<IrGraph, GraphProto>,
  nodeProtoOf: (graph: IrGraph, node: number) => NodeProto,
  isExposable: (graph: IrGraph, name: string) => boolean,
  depth = 0,
): Lifted[] {
  const lifted: Lifted[] = [];
  const own = protos.get(graph)!;
  const replaced = new Map<NodeProto, NodeProto>();
  graph.nodes.forEach((node, n) => {
    if (graph.parent) for (const out of node.output ?? []) if (out && isExposable(graph, out)) lifted.push({ outer: out, value: out });
    const bodies = graph.subgraphs.get(n);
    if (node.opType !== 'If' || node.domain || !bodies || bodies.length !== 2) return;
    const [thenBody, elseBody] = [bodies.find((b) => b.attribute === 'then_branch'), bodies.find((b) => b.attribute === 'else_branch')];
    if (!thenBody || !elseBody) return;
    const fromThen = liftIfBodies(thenBody.graph, protos, nodeProtoOf, isExposable, depth + 1);
    const seen = new Set(fromThen.map((l) => l.value));
    // Sibling branches may reuse a name: expose it once, from the then branch.
    const fromElse = liftIfBodies(elseBody.graph, protos, nodeProtoOf, isExposable, depth + 1).filter((l) => !seen.has(l.value));
    if (!fromThen.length && !fromElse.length) return;
    const pad = (body: IrGraph, mine: Lifted[], before: boolean, others: number) => {
      const proto = protos.get(body)!;
      const empty: string[] = [];
      const fillers: NodeProto[] = [];
      for (let k = 0; k < others; k++) {
        const name = `castaway_empty${depth}_${k}::${body.id}`;
        empty.push(name);
        fillers.push(emptyConstant(name));
      }
      // A value the body already returns goes out again under a copy's name: one name listed twice among
      // a graph's outputs makes onnxruntime lose outputs.
      const taken = new Set((proto.output ?? []).map((o) => o.name ?? ''));
      const copies: NodeProto[] = [];
      const outs = mine.map((l) => {
        if (!taken.has(l.outer)) {
          taken.add(l.outer);
          return floatInfo(l.outer);
        }
        const copy = `${l.value}::copy${depth}`;
        copies.push({ opType: 'Identity', name: copy, input: [l.outer], output: [copy] });
        return floatInfo(copy);
      });
      fillers.push(...copies);
      const pads = empty.map(floatInfo);
      protos.set(body, { ...proto, node: [...(proto.node ?? []), ...fillers], output: [...(proto.output ?? []), ...(before ? [...outs, ...pads] : [...pads, ...outs])] });
    };
    pad(thenBody.graph, fromThen, true, fromElse.length);
    pad(elseBody.graph, fromElse, false, fromThen.length);
    const names = [...fromThen, ...fromElse].map((l) => `${l.value}${EXPOSED}${depth}`);
    const original = nodeProtoOf(graph, n);
    const attribute = (original.attribute ?? []).map((a) =>
      a.name === 'then_branch' ? { ...a, g: protos.get(thenBody.graph) } : a.name === 'else_branch' ? { ...a, g: protos.get(elseBody.graph) } : a,
    );
    replaced.set(original, { ...original, output: [...(original.output ?? []), ...names], attribute });
    [...fromThen, ...fromElse].forEach((l, k) => lifted.push({ outer: names[k], value: l.value }));
  });
  if (replaced.size) protos.set(graph, { ...own, node: (protos.get(graph)!.node ?? []).map((p) => replaced.get(p) ?? p) });
  return lifted;
}

export const exposedOutputInfo = floatInfo;
