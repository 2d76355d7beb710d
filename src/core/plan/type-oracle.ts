// Adapter from the type layer (src/core/types) to what the planner asks: the element type of any value
// seen from a graph, and the slot groups of a node. Built once per model.
import { CastawayError } from '../errors';
import { normalizeDomain, type IrGraph, type IrModel } from '../ir';
import { domainLabel } from '../onnx/domain';
import type { NodeProto } from '../onnx/proto-types';
import { inferModelTypes } from '../types/model-types';
import { groupAllowsFloat16, groupAllowsLow, lookupSchema, slotGroups as schemaSlotGroups } from '../types/schema';
import type { SlotGroup, TypeOracle } from './constraints';

/** Domains whose every op must have a schema: an unknown op there is a typo or a newer opset, not a custom op. */
const STANDARD_DOMAINS = new Set(['', 'ai.onnx.ml', 'com.microsoft']);

/** Which positions of a name list are present, as '1'/'0' characters (no arrays: one call per node and list). */
function present(names: string[] | undefined): string {
  let s = '';
  if (names) for (let i = 0; i < names.length; i++) s += names[i] ? '1' : '0';
  return s;
}

export function createTypeOracle(model: IrModel): TypeOracle {
  const types = inferModelTypes(model);
  for (const graph of model.graphs) {
    graph.nodes.forEach((node) => {
      const domain = normalizeDomain(node.domain);
      if (!STANDARD_DOMAINS.has(domain) || domain === 'com.microsoft') return;
      if (!lookupSchema(domain, node.opType ?? '', model.opsets.get(domain) ?? 0)) {
        const opset = model.opsets.get(domain);
        throw new CastawayError(
          'unknown-op',
          opset === undefined
            ? `Op "${node.opType}" uses domain "${domainLabel(domain)}", which the model does not import`
            : `No op "${node.opType}" exists in ${domainLabel(domain)} at opset ${opset}`,
          node.name ? `node "${node.name}"` : `a ${node.opType} node`,
        );
      }
    });
  }
  // Slot groups depend only on the op and on which positions are present, so nodes of one shape share
  // one answer (a 43,720-node graph has a few dozen shapes). Callers must not mutate the result.
  const cache = new Map<string, SlotGroup[] | undefined>();
  return {
    elemType: (graph: IrGraph, name: string) => types.elemType(graph, name),
    slotGroups(_graph: IrGraph, node: NodeProto): SlotGroup[] | undefined {
      const domain = normalizeDomain(node.domain);
      const key = `${domain}|${node.opType}|${present(node.input)}|${present(node.output)}`;
      if (cache.has(key)) return cache.get(key);
      const schema = lookupSchema(domain, node.opType ?? '', model.opsets.get(domain) ?? 0);
      const groups = schema && schemaSlotGroups(node, schema).map((g) => ({ inputs: g.inputs, outputs: g.outputs, allowsFloat16: groupAllowsFloat16(g), allowsBfloat16: groupAllowsLow(g, 'bf16') }));
      cache.set(key, groups);
      return groups;
    },
  };
}
