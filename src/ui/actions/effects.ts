// The store changes that start work in a worker by themselves.

import { useApp } from '../store';
import { layouter } from './layout';
import { planner } from './plan';

/** Re-plan when the recipe changes, re-lay-out when the open scopes change. Called once at start-up. */
export function installEffects(): () => void {
  return useApp.subscribe((state, previous) => {
    if (state.recipe !== previous.recipe) void planner.request();
    if (state.expanded !== previous.expanded || state.showFolded !== previous.showFolded) void layouter.request();
  });
}
