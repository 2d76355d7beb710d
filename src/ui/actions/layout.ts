// Re-laying-out after the open scopes change: one layout at a time in the layout worker, changes made
// meanwhile coalescing into one more layout.

import { useApp, type LoadedModel } from '../store';
import { layoutClient } from '../workers';
import { coalesced } from './coalesce';
import { showError } from './notice';

/** What a layout is for: the scopes drawn open and whether folded nodes are drawn, of an open model. */
export interface LayoutKey {
  expanded: string[];
  showFolded: boolean;
  model: LoadedModel;
}

export const layouter = coalesced<LayoutKey>({
  wanted() {
    const { expanded, showFolded, model } = useApp.getState();
    return model ? { expanded, showFolded, model } : null;
  },
  same: (a, b) => a.expanded === b.expanded && a.showFolded === b.showFolded,
  async run({ expanded, showFolded, model }) {
    useApp.setState({ layoutPending: true });
    const result = await layoutClient().layout({ expanded, showFolded });
    if (useApp.getState().model?.seq !== model.seq) return false;
    if (!result.ok) {
      showError('The graph could not be laid out', result.error);
      return false;
    }
    if (result.value.generation !== model.seq) return false;
    useApp.setState({ layout: result.value });
    return true;
  },
  settled: () => useApp.setState({ layoutPending: false }),
});
