// Recipe entries that match nothing in the model: a typo in a node name or op type otherwise silently leaves
// the model all fp16 where the user meant to keep something fp32, so the CLI warns about each.
import type { Recipe } from '../core/index';
import type { EngineModel } from '../core/index';
import { ORT_DEFAULT_OP_BLOCK_LIST } from '../core/index';
import { compileRule } from '../core/index';

export function unmatchedWarnings(model: EngineModel, recipe: Recipe): string[] {
  // Most runs name no node and no pattern: skip indexing 44k names (~50 ms of a cold convert) when nothing would read it.
  if (!recipe.opBlockList.length && !recipe.nodeBlockList.length && !recipe.patterns.length) return [];
  const names = new Set<string>();
  const opTypes = new Set<string>();
  for (const graph of model.ir.graphs) {
    for (const node of graph.nodes) {
      if (node.name) names.add(node.name);
      opTypes.add(node.opType ?? '');
    }
  }
  const out: string[] = [];
  // onnxruntime's default list names dozens of op types a model rarely has: those are no typo
  const generic = new Set<string>(ORT_DEFAULT_OP_BLOCK_LIST);
  for (const op of recipe.opBlockList) {
    if (!opTypes.has(op) && !generic.has(op)) out.push(`op block list entry "${op}" is an op type this model does not have`);
  }
  for (const name of recipe.nodeBlockList) {
    if (!names.has(name)) out.push(`node block list entry "${name}" names no node of this model`);
  }
  for (const rule of recipe.patterns) {
    const match = compileRule(rule);
    let hit = false;
    for (const name of names) {
      if (match(name)) {
        hit = true;
        break;
      }
    }
    if (!hit) out.push(`pattern "${rule}" matches no node name of this model`);
  }
  return out;
}
