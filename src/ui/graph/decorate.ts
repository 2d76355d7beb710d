// The engine's plan painted onto the drawn boxes: each box's planned precision (or, for a closed scope, the
// mix of its nodes' precisions) and which drawn edges carry one of the plan's Cast boundaries. Nothing is
// planned here; this only maps PlanReport entries (by node index) onto whatever box shows that node.

import type { LowPrecision, ModelSummary, PlannedPrecision, PlanReport, Precision, Recipe } from '../../core/index';
import type { LayoutResult } from '../../../workers/layout-api';

export type { PlannedPrecision };

/** Counts of nodes by planned precision: low, fp32, mixed, none. */
export type PrecisionMix = [number, number, number, number];

export interface UnitDecoration {
  precision: PlannedPrecision;
  mix: PrecisionMix;
  /** The user's block list names this node, its op type, or this scope. */
  blocked: boolean;
  /** Cast boundaries that fall between nodes inside this closed scope. */
  innerBoundaries: number;
}

export interface EdgeDecoration {
  /** Casts on this drawn edge, by target precision. */
  toLow: number;
  toFp32: number;
}

export interface Decoration {
  /** Aligned with layout.units. */
  units: UnitDecoration[];
  edges: Map<string, EdgeDecoration>;
  /** The recipe's low type, which the low side is named by where the view prints it. */
  low: LowPrecision;
}

const MIX_INDEX: Record<PlannedPrecision, number> = { low: 0, fp32: 1, mixed: 2, none: 3 };

function dominantPrecision(mix: PrecisionMix): PlannedPrecision {
  const [low, fp32, mixed] = mix;
  if (low + fp32 + mixed === 0) return 'none';
  if (fp32 === 0 && mixed === 0) return 'low';
  if (low === 0 && mixed === 0) return 'fp32';
  return 'mixed';
}

export function decorate(layout: LayoutResult, plan: PlanReport, summary: ModelSummary, recipe: Recipe): Decoration {
  const units: UnitDecoration[] = layout.units.map(() => ({
    precision: 'none',
    mix: [0, 0, 0, 0],
    blocked: false,
    innerBoundaries: 0,
  }));
  const indexOfUnit = new Map(layout.units.map((unit, index) => [unit.id, index]));

  const { unitOfNode } = layout;
  for (let node = 0; node < unitOfNode.length; node++) {
    const unit = unitOfNode[node];
    if (unit < 0) continue;
    units[unit].mix[MIX_INDEX[plan.nodePrecision[node] ?? 'none']]++;
  }

  const blockedOps = new Set(recipe.opBlockList);
  const blockedNames = new Set(recipe.nodeBlockList);
  const patterns = new Set(recipe.patterns);
  layout.units.forEach((unit, index) => {
    const decoration = units[index];
    if (unit.kind === 'op' && unit.nodeIndex !== undefined) {
      const node = summary.nodes[unit.nodeIndex];
      decoration.precision = plan.nodePrecision[unit.nodeIndex] ?? 'none';
      decoration.blocked = blockedOps.has(node.opType) || blockedNames.has(node.name);
    } else {
      decoration.precision = dominantPrecision(decoration.mix);
      decoration.blocked = unit.scopeId !== undefined && patterns.has(unit.scopeId);
    }
  });

  // Which drawn edge each boundary falls on.
  const edgeByEnds = new Map<string, string>();
  for (const edge of layout.edges) {
    edgeByEnds.set(`${indexOfUnit.get(edge.source)}>${indexOfUnit.get(edge.target)}`, edge.id);
  }
  const inputIndex = new Map(summary.inputs.map((name, index) => [name, index]));
  const outputIndex = new Map(summary.outputs.map((name, index) => [name, index]));
  const edges = new Map<string, EdgeDecoration>();
  const mark = (from: number, to: number, target: Precision) => {
    if (from < 0 || to < 0) return;
    if (from === to) {
      units[from].innerBoundaries++;
      return;
    }
    const id = edgeByEnds.get(`${from}>${to}`);
    if (!id) return;
    const decoration = edges.get(id) ?? { toLow: 0, toFp32: 0 };
    if (target === 'low') decoration.toLow++;
    else decoration.toFp32++;
    edges.set(id, decoration);
  };
  for (const boundary of plan.boundaries) {
    let from = -1;
    if (boundary.producer >= 0) from = unitOfNode[boundary.producer];
    else {
      const input = inputIndex.get(boundary.value);
      if (input !== undefined) from = layout.unitOfInput[input];
    }
    const seen = new Set<number>();
    for (const consumer of boundary.consumers) {
      const to = unitOfNode[consumer];
      if (seen.has(to)) continue; // one Cast serves every reader in the same box
      seen.add(to);
      mark(from, to, boundary.to);
    }
    const output = outputIndex.get(boundary.value);
    if (output !== undefined) mark(from, layout.unitOfOutput[output], boundary.to);
  }
  return { units, edges, low: recipe.lowPrecision };
}
