// Adapter from the type layer (src/core/types) to what the planner asks: the element type of any value
// seen from a graph, and the slot groups of a node. Built once per model.
import { CastawayError } from '../errors';
import { normalizeDomain, type IrGraph, type IrModel } from '../ir';
import { domainLabel } from '../onnx/domain';
import type { NodeProto } from '../onnx/proto-types';
import { inferModelTypes } from '../types/model-types';
import { groupAllowsFloat16, groupAllowsLow, lookupSchema, slotGroups as schemaSlotGroups } from '../types/schema';
import type { SlotGroup, TypeOracle } from './constraints';

/**
 * Domains whose every op must have a schema: an unknown op there is a typo or a newer opset, not a custom op
 * (com.microsoft's ops without a schema are typed as opaque).
 */
const CHECKED_DOMAINS = new Set(['', 'ai.onnx.ml']);

function unknownOp(model: IrModel, node: NodeProto): CastawayError {
  const domain = normalizeDomain(node.domain);
  const opset = model.opsets.get(domain);
  return new CastawayError(
    'unknown-op',
    opset === undefined
      ? `Op "${node.opType}" uses domain "${domainLabel(domain)}", which the model does not import`
      : `No op "${node.opType}" exists in ${domainLabel(domain)} at opset ${opset}`,
    node.name ? `node "${node.name}"` : `a ${node.opType} node`,
  );
}

/** Which positions of a name list are present, as '1'/'0' characters (no arrays: one call per node and list). */
function present(names: string[] | undefined): string {
  let s = '';
  if (names) for (let i = 0; i < names.length; i++) s += names[i] ? '1' : '0';
  return s;
}

/** Lists up to this long get a numeric presence key (presenceKey); longer ones (a wide Concat) a string. */
const MAX_MASK_LENGTH = 20;

/**
 * Which positions of a node's inputs and outputs are present, as one number: per list a bit per position
 * above a leading 1 that marks its length, the output list's in the low 21 bits. -1 when a list is longer
 * than MAX_MASK_LENGTH. A number, not a string built per node: this is asked for nearly every node.
 */
function presenceKey(inputs: string[] | undefined, outputs: string[] | undefined): number {
  const a = mask(inputs);
  const b = mask(outputs);
  return a < 0 || b < 0 ? -1 : a * 2 ** (MAX_MASK_LENGTH + 1) + b;
}

function mask(names: string[] | undefined): number {
  const length = names ? names.length : 0;
  if (length > MAX_MASK_LENGTH) return -1;
  let bits = 1;
  for (let i = 0; i < length; i++) bits = bits * 2 + (names![i] ? 1 : 0);
  return bits;
}

/** A two-level map (domain as written, then op type) that builds no key string per node. */
class ByOp<T> {
  private readonly byDomain = new Map<string | undefined, Map<string | undefined, T>>();
  get(node: NodeProto): T | undefined {
    return this.byDomain.get(node.domain)?.get(node.opType);
  }
  set(node: NodeProto, value: T): void {
    let byOp = this.byDomain.get(node.domain);
    if (!byOp) this.byDomain.set(node.domain, (byOp = new Map()));
    byOp.set(node.opType, value);
  }
}

export function createTypeOracle(model: IrModel): TypeOracle {
  const types = inferModelTypes(model);
  // An op of a standard domain with no schema at the model's opset is refused. Inference has looked up every
  // node's schema already and lists those without one (`untyped`): no second lookup per node here. The
  // first such node in the IR's order (graphs, then nodes) is named, as a walk over the nodes would.
  const unknown = new Set<NodeProto>();
  for (const { node } of types.result.untyped) if (CHECKED_DOMAINS.has(normalizeDomain(node.domain))) unknown.add(node);
  if (unknown.size) {
    for (const graph of model.graphs) {
      for (const node of graph.nodes) if (unknown.has(node)) throw unknownOp(model, node);
    }
  }
  // Slot groups depend only on the op and on which positions are present, so nodes of one shape share
  // one answer (a 43,720-node graph has a few dozen shapes). Callers must not mutate the result.
  // Keyed by op, then by presenceKey (numbers), or by present() strings for very long lists.
  const cache = new ByOp<Map<number | string, SlotGroup[] | undefined>>();
  const byId: Int32Array[] = []; // by graph id
  return {
    elemType: (graph: IrGraph, name: string) => types.elemType(graph, name),
    elemTypesById(graph: IrGraph): Int32Array {
      // the main graph's are kept by id by inference itself
      if (graph === model.main) return types.mainTypesById;
      let out = byId[graph.id];
      if (out) return out;
      const names = graph.valueNames;
      out = byId[graph.id] = new Int32Array(names.length);
      for (let id = 0; id < names.length; id++) out[id] = types.elemType(graph, names[id]) ?? 0;
      return out;
    },
    slotGroups(_graph: IrGraph, node: NodeProto): SlotGroup[] | undefined {
      let byPresence = cache.get(node);
      if (!byPresence) cache.set(node, (byPresence = new Map()));
      const numeric = presenceKey(node.input, node.output);
      const key = numeric >= 0 ? numeric : `${present(node.input)}|${present(node.output)}`;
      if (byPresence.has(key)) return byPresence.get(key);
      const domain = normalizeDomain(node.domain);
      const schema = lookupSchema(domain, node.opType ?? '', model.opsets.get(domain) ?? 0);
      const groups = schema && schemaSlotGroups(node, schema).map((g) => ({ inputs: g.inputs, outputs: g.outputs, allowsFloat16: groupAllowsFloat16(g), allowsBfloat16: groupAllowsLow(g, 'bf16') }));
      byPresence.set(key, groups);
      return groups;
    },
  };
}
