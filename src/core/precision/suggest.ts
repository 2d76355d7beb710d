// Suggests a block list that meets an error tolerance with few Casts. onnxconverter-common's
// auto_mixed_precision bisects the node list blindly, converting and running the model at every step;
// here the per-node errors of one preview rank the candidates, so a doubling search plus a binary search
// over that ranking finds a short prefix in O(log n) runs, then pruning drops nodes that are not needed and
// a planner-only pass (no runs: planning takes milliseconds) adds neighbours that remove Casts.
import type { Recipe } from '../api';
import { meetsTolerance, worstError, type ErrorMetric, type OutputComparison } from './metrics';

export interface SuggestOptions {
  base: Recipe;
  metric: ErrorMetric;
  /** Largest allowed error; for 'cosine' the least allowed cosine similarity. */
  tolerance: number;
  /** Block-list candidates (node names), most added error first: rankNodes over a preview of `base`. */
  ranked: readonly string[];
  /** Output comparisons of the fp16 model for a recipe against fp32 (simulated or real). */
  evaluate(recipe: Recipe): Promise<readonly OutputComparison[]>;
  /** Casts the plan for a recipe needs (planModel(...).castCount). */
  castCount(recipe: Recipe): number;
  /** Nodes that share a float value with a node (for the Cast-saving pass). */
  neighbours(name: string): readonly string[];
  /** Most model runs the search may spend (default 32). */
  maxEvaluations?: number;
  onProgress?(message: string): void;
}

export interface Suggestion {
  recipe: Recipe;
  /** Node names added to the base block list. */
  added: string[];
  meets: boolean;
  error: number;
  baseError: number;
  castCount: number;
  baseCastCount: number;
  /** Model runs spent. */
  evaluations: number;
  log: string[];
}

/** Runs the Cast-dropping pass may spend beyond the search budget. */
const REMOVAL_RUNS = 8;

export async function suggestBlockList(options: SuggestOptions): Promise<Suggestion> {
  const { base, metric, tolerance } = options;
  const budget = options.maxEvaluations ?? 32;
  const log: string[] = [];
  const say = (message: string) => {
    log.push(message);
    options.onProgress?.(message);
  };
  const baseSet = new Set(base.nodeBlockList);
  const ranked = [...new Set(options.ranked)].filter((name) => name && !baseSet.has(name));
  const recipeWith = (added: readonly string[]): Recipe => ({ ...base, nodeBlockList: [...base.nodeBlockList, ...added] });
  const cache = new Map<string, { error: number; meets: boolean }>();
  let evaluations = 0;
  const evaluate = async (added: readonly string[]) => {
    const key = [...added].sort().join('\n');
    let hit = cache.get(key);
    if (!hit) {
      const comparisons = await options.evaluate(recipeWith(added));
      evaluations++;
      hit = { error: worstError(comparisons, metric), meets: meetsTolerance(comparisons, metric, tolerance) };
      cache.set(key, hit);
    }
    return hit;
  };
  const shown = (error: number) => (metric === 'cosine' ? `cosine ${(1 - error).toPrecision(6)}` : `${metric} ${error.toPrecision(3)}`);

  const baseCastCount = options.castCount(base);
  const first = await evaluate([]);
  say(`base: ${shown(first.error)}, ${baseCastCount} Casts`);
  const result = (added: string[], at: { error: number; meets: boolean }): Suggestion => {
    const recipe = recipeWith(added);
    return { recipe, added, meets: at.meets, error: at.error, baseError: first.error, castCount: options.castCount(recipe), baseCastCount, evaluations, log };
  };
  if (first.meets) return result([], first);
  if (!ranked.length) {
    say('no fp16 node adds measurable error: nothing to block');
    return result([], first);
  }

  // Doubling, then binary search, for the shortest prefix of the ranking that meets the tolerance.
  let failing = 0;
  let meeting = -1;
  for (let k = 1; ; k = Math.min(2 * k, ranked.length)) {
    const at = await evaluate(ranked.slice(0, k));
    say(`top ${k}: ${shown(at.error)}`);
    if (at.meets) {
      meeting = k;
      break;
    }
    failing = k;
    if (k === ranked.length || evaluations >= budget) break;
  }
  if (meeting < 0) {
    say(`blocking all ${ranked.length} ranked nodes does not meet the tolerance`);
    const all = ranked.slice(0, failing);
    return result(all, await evaluate(all));
  }
  while (meeting - failing > 1 && evaluations < budget) {
    const mid = (failing + meeting) >> 1;
    const at = await evaluate(ranked.slice(0, mid));
    say(`top ${mid}: ${shown(at.error)}`);
    if (at.meets) meeting = mid;
    else failing = mid;
  }
  let chosen = ranked.slice(0, meeting);
  let state = await evaluate(chosen);

  // Pruning, coarse to fine (as delta debugging does): try to drop the lowest-ranked half of the list,
  // then quarters, ... then single nodes, as long as the run budget lasts.
  for (let chunk = Math.max(1, chosen.length >> 1); chunk >= 1 && evaluations < budget; chunk = chunk >> 1) {
    for (let end = chosen.length; end > 0 && evaluations < budget; end -= chunk) {
      const start = Math.max(0, end - chunk);
      if (start === 0 && end === chosen.length) continue; // never drop everything at once
      const without = [...chosen.slice(0, start), ...chosen.slice(end)];
      const at = await evaluate(without);
      if (at.meets) {
        say(`dropped ${end - start} node${end - start > 1 ? 's' : ''} (${chosen.slice(start, end)[0]}${end - start > 1 ? ', ...' : ''}): ${shown(at.error)}`);
        chosen = without;
        state = at;
      }
    }
    if (chunk === 1) break;
  }

  // Cast-saving pass: blocking a neighbour too can remove Casts (a lone fp32 node costs two). Planner only;
  // one run at the end confirms the tolerance still holds (more fp32 rarely hurts, but check).
  const extended = [...chosen];
  const inSet = new Set([...chosen, ...base.nodeBlockList]);
  let casts = options.castCount(recipeWith(extended));
  let plans = 0;
  for (let round = 0; round < 64 && plans < 400; round++) {
    let best: { name: string; casts: number } | undefined;
    const candidates = new Set(extended.flatMap((name) => options.neighbours(name)).filter((name) => name && !inSet.has(name)));
    for (const name of candidates) {
      if (++plans > 400) break;
      const c = options.castCount(recipeWith([...extended, name]));
      if (c < (best?.casts ?? casts)) best = { name, casts: c };
    }
    if (!best) break;
    extended.push(best.name);
    inSet.add(best.name);
    say(`also block ${best.name}: ${casts} -> ${best.casts} Casts`);
    casts = best.casts;
  }
  if (extended.length > chosen.length) {
    const at = await evaluate(extended);
    if (at.meets) {
      chosen = extended;
      state = at;
    } else say('the Cast-saving additions broke the tolerance; kept the list without them');
  }
  // Cast-dropping pass: a blocked node whose removal alone saves Casts is worth one run to check that
  // the tolerance survives without it (lowest-ranked first: the likeliest to be unneeded).
  let current = options.castCount(recipeWith(chosen));
  for (let i = chosen.length - 1; i >= 0 && evaluations < budget + REMOVAL_RUNS; i--) {
    const without = [...chosen.slice(0, i), ...chosen.slice(i + 1)];
    const c = options.castCount(recipeWith(without));
    if (c >= current) continue;
    const at = await evaluate(without);
    if (!at.meets) continue;
    say(`unblocked ${chosen[i]}: ${current} -> ${c} Casts, ${shown(at.error)}`);
    chosen = without;
    state = at;
    current = c;
  }
  // Then whole connected groups of blocked nodes (a norm's pieces): unblocking a group saves its border Casts.
  const groups: string[][] = [];
  const seen = new Set<string>();
  const chosenSet = new Set(chosen);
  for (const start of chosen) {
    if (seen.has(start)) continue;
    const group: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length) {
      const name = stack.pop()!;
      group.push(name);
      for (const next of options.neighbours(name)) if (chosenSet.has(next) && !seen.has(next)) (seen.add(next), stack.push(next));
    }
    if (group.length > 1) groups.push(group);
  }
  for (const group of groups.reverse()) {
    if (evaluations >= budget + REMOVAL_RUNS) break;
    const drop = new Set(group);
    const without = chosen.filter((name) => !drop.has(name));
    const c = options.castCount(recipeWith(without));
    if (c >= current) continue;
    const at = await evaluate(without);
    if (!at.meets) continue;
    say(`unblocked ${group.length} connected nodes (${group[0]}, ...): ${current} -> ${c} Casts, ${shown(at.error)}`);
    chosen = without;
    state = at;
    current = c;
  }
  say(`suggestion: ${chosen.length} nodes, ${shown(state.error)}, ${evaluations} runs`);
  return result(chosen, state);
}

/** Nodes sharing a float value (producer-consumer pairs), by node name, from the model summary. */
export function nodeNeighbours(nodes: readonly { name: string; inputs: readonly string[]; outputs: readonly string[] }[]): (name: string) => string[] {
  const producer = new Map<string, string>();
  const consumers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const out of node.outputs) if (out) producer.set(out, node.name);
    for (const input of node.inputs) {
      if (!input) continue;
      const list = consumers.get(input) ?? [];
      list.push(node.name);
      consumers.set(input, list);
    }
  }
  const byName = new Map(nodes.map((node) => [node.name, node] as const));
  return (name) => {
    const node = byName.get(name);
    if (!node) return [];
    const near = new Set<string>();
    for (const input of node.inputs) {
      const p = producer.get(input);
      if (p) near.add(p);
    }
    for (const out of node.outputs) for (const c of consumers.get(out) ?? []) near.add(c);
    near.delete(name);
    return [...near];
  };
}
