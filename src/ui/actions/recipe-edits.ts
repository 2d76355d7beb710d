// Edits of the recipe (block lists, patterns, presets), each one undoable step; the planner follows the
// recipe through the store (effects.ts).

import type { Recipe } from '../../core/index';
import { DEFAULT_RECIPE } from '../../core/index';
import type { PresetId } from '../../../workers/model-api';
import { pushRecipe, redoRecipe, undoRecipe, useApp } from '../store';

export function editRecipe(change: (recipe: Recipe) => Recipe): void {
  pushRecipe(change(useApp.getState().recipe));
}

function toggled(list: readonly string[], item: string): string[] {
  return list.includes(item) ? list.filter((entry) => entry !== item) : [...list, item];
}

export function toggleOpType(opType: string): void {
  editRecipe((recipe) => ({ ...recipe, opBlockList: toggled(recipe.opBlockList, opType) }));
}

export function toggleNodeBlock(nodeName: string): void {
  if (!nodeName) return;
  editRecipe((recipe) => ({ ...recipe, nodeBlockList: toggled(recipe.nodeBlockList, nodeName) }));
}

export function togglePattern(pattern: string): void {
  const trimmed = pattern.trim();
  if (!trimmed) return;
  editRecipe((recipe) => ({ ...recipe, patterns: toggled(recipe.patterns, trimmed) }));
}

export function applyPreset(id: PresetId): void {
  const preset = useApp.getState().presets.find((entry) => entry.id === id);
  if (!preset) return;
  editRecipe((recipe) => ({
    ...DEFAULT_RECIPE,
    targetEp: recipe.targetEp,
    dims: recipe.dims,
    objective: recipe.objective,
    lowPrecision: recipe.lowPrecision,
    ...preset.recipe,
  }));
}

export function undo(): void {
  undoRecipe();
}

export function redo(): void {
  redoRecipe();
}
