// Re-planning after recipe edits: the model worker plans the store's recipe, one plan at a time, edits made
// meanwhile coalescing into one more plan.

import type { Recipe } from '../../core/index';
import { useApp, type LoadedModel } from '../store';
import { modelClient } from '../workers';
import { coalesced } from './coalesce';
import { showError } from './notice';

/** A plan is for a recipe of an open model; a new recipe (not a new model) is what asks for another. */
export interface PlanKey {
  recipe: Recipe;
  model: LoadedModel;
}

export const planner = coalesced<PlanKey>({
  wanted() {
    const { recipe, model } = useApp.getState();
    return model ? { recipe, model } : null;
  },
  same: (a, b) => a.recipe === b.recipe,
  async run({ recipe, model }) {
    useApp.setState({ planPending: true });
    const stamped = await modelClient().plan(recipe);
    // Another model was opened meanwhile (in the page or, further along, already in the worker): this
    // plan is not for the model on screen.
    if (useApp.getState().model?.seq !== model.seq || stamped.generation !== model.seq) return false;
    const outcome = stamped.value;
    if (outcome.ok) {
      useApp.setState((state) => ({ plan: outcome.value, planGeneration: model.seq, planSeq: state.planSeq + 1 }));
    } else {
      showError('The block list could not be planned', outcome.error);
    }
    return true;
  },
  settled: () => useApp.setState({ planPending: false }),
});

export async function loadPresets(): Promise<void> {
  const presets = await modelClient().presets();
  useApp.setState({ presets });
}
